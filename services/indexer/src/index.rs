//! The search index: one tantivy document per media item, replaced whenever the chain
//! changes the item, and the indexer's position stored in the same commit.
//!
//! **Titles** and owners' display names go through one analyzer, for documents and
//! queries alike: split on anything that is not a letter or digit, lower-cased,
//! diacritics folded to ASCII ("Açaí" → "acai"), words over 64 bytes dropped. A second
//! field holds the whole analysed title as one term, so a query that *is* a title ranks
//! that item first. Words of [`TYPO_MIN_CHARS`] characters match with one typo, of
//! [`TWO_TYPOS_MIN_CHARS`] with two (a swap of two letters is one), the word being
//! typed (the last) as a prefix — with up to one typo — and an empty query browses. Each
//! document also carries facets (`/kind/…`, `/price/…`, `/year/…`, `/owner/…`) whose
//! counts come back with every search.
//!
//! The schema is versioned ([`SCHEMA_VERSION`]): an index of another version is rebuilt
//! from genesis.
//!
//! **The position** (last indexed block, its hash, the clusters' statuses) is the
//! payload of tantivy's commit: the documents of blocks up to N and "indexed up to
//! N" become durable together. A crash between commits loses nothing — the indexer
//! resumes after the last commit and re-reads those blocks — and counts nothing
//! twice, because a document is the item's state read from the chain at that block,
//! keyed by media id, not a sum of events.

use anyhow::Context;
use paratii_client::{
	wire::{FacetCount, Facets, IndexedMedia},
	ClusterId, MediaId,
};
use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, ops::Bound, path::Path, sync::Mutex};
use tantivy::{
	collector::{Count, FacetCollector, FacetCounts, TopDocs},
	query::{
		AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, RangeQuery, TermQuery,
	},
	schema::{
		Facet, FacetOptions, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions,
		Value, FAST, INDEXED, STORED, STRING,
	},
	tokenizer::{
		AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
		TokenStream,
	},
	DocAddress, DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentReader,
	TantivyDocument, Term,
};

/// The analyzer's name in tantivy's tokenizer manager.
const FOLDED: &str = "paratii_folded";
/// Heap the writer buffers documents in before it writes a segment.
const WRITER_HEAP_BYTES: usize = 32 * 1024 * 1024;
/// Words with at least this many characters match with one typo.
pub const TYPO_MIN_CHARS: usize = 5;
/// Words with at least this many characters match with two typos.
pub const TWO_TYPOS_MIN_CHARS: usize = 9;
/// The schema's version, kept in a file beside the index: another one is rebuilt.
pub const SCHEMA_VERSION: u32 = 2;
/// Owners a search's facets name.
const TOP_OWNERS: usize = 10;

/// The typos a query word of `chars` characters may have.
pub fn typos(chars: usize) -> u8 {
	if chars >= TWO_TYPOS_MIN_CHARS {
		2
	} else if chars >= TYPO_MIN_CHARS {
		1
	} else {
		0
	}
}

/// Where the indexer stands, committed with the documents.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Position {
	/// The last finalized block whose changes are in the index (0: none yet).
	pub block: u32,
	/// Its hash, `0x` hex (checked on restart: a different chain is not resumed).
	pub hash: String,
	/// Every storage cluster and its status (`Active`, `Offline`, `Draining`,
	/// `Retired`), from the topology pallet's events.
	pub clusters: BTreeMap<ClusterId, String>,
}

#[derive(Clone, Copy)]
struct Fields {
	id: Field,
	title: Field,
	title_key: Field,
	owner: Field,
	status: Field,
	registered_ms: Field,
	latitude: Field,
	longitude: Field,
	likes: Field,
	views: Field,
	record: Field,
	owner_name: Field,
	kind: Field,
	paid: Field,
	price: Field,
	facets: Field,
}

impl Fields {
	fn schema() -> (Schema, Fields) {
		let mut b = Schema::builder();
		let title = TextOptions::default().set_indexing_options(
			TextFieldIndexing::default()
				.set_tokenizer(FOLDED)
				.set_index_option(IndexRecordOption::WithFreqsAndPositions),
		);
		let fields = Fields {
			id: b.add_u64_field("id", INDEXED | FAST),
			title: b.add_text_field("title", title.clone()),
			title_key: b.add_text_field("title_key", STRING),
			owner: b.add_text_field("owner", STRING),
			status: b.add_text_field("status", STRING),
			registered_ms: b.add_u64_field("registered_ms", INDEXED | FAST),
			latitude: b.add_i64_field("latitude", INDEXED | FAST),
			longitude: b.add_i64_field("longitude", INDEXED | FAST),
			likes: b.add_u64_field("likes", FAST),
			views: b.add_u64_field("views", FAST),
			record: b.add_text_field("record", STORED),
			owner_name: b.add_text_field("owner_name", title.clone()),
			kind: b.add_text_field("kind", STRING),
			paid: b.add_text_field("paid", STRING),
			// Micro-PTI, saturating: for sorting by price.
			price: b.add_u64_field("price", INDEXED | FAST),
			facets: b.add_facet_field("facets", FacetOptions::default()),
		};
		(b.build(), fields)
	}
}

fn analyzer() -> TextAnalyzer {
	TextAnalyzer::builder(SimpleTokenizer::default())
		.filter(RemoveLongFilter::limit(64))
		.filter(LowerCaser)
		.filter(AsciiFoldingFilter)
		.build()
}

/// The words of `text` as the index sees them.
pub fn words(text: &str) -> Vec<String> {
	let mut analyzer = analyzer();
	let mut stream = analyzer.token_stream(text);
	let mut out = Vec::new();
	while stream.advance() {
		out.push(stream.token().text.clone());
	}
	out
}

/// Filters of a search besides the words.
#[derive(Clone, Debug, Default)]
pub struct Filters {
	/// The owner's account, as the index keys it (`0x` hex of the 32 bytes).
	pub owner: Option<String>,
	/// Registration time, Unix milliseconds, inclusive.
	pub registered_from: Option<u64>,
	pub registered_to: Option<u64>,
	/// `(min_lat, min_lon, max_lat, max_lon)` in microdegrees, inclusive.
	pub bbox: Option<(i32, i32, i32, i32)>,
	/// `picture`, `video` or `other`.
	pub kind: Option<String>,
	/// `Some(true)`: priced items only; `Some(false)`: free ones only.
	pub paid: Option<bool>,
}

/// How search results are ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
	Relevance,
	Newest,
	MostViewed,
	MostLiked,
	PriceAsc,
	PriceDesc,
}

impl Sort {
	pub fn parse(s: &str) -> Option<Self> {
		Some(match s {
			"relevance" => Self::Relevance,
			"newest" => Self::Newest,
			"most_viewed" => Self::MostViewed,
			"most_liked" => Self::MostLiked,
			"price_asc" => Self::PriceAsc,
			"price_desc" => Self::PriceDesc,
			_ => return None,
		})
	}

	pub fn name(self) -> &'static str {
		match self {
			Self::Relevance => "relevance",
			Self::Newest => "newest",
			Self::MostViewed => "most_viewed",
			Self::MostLiked => "most_liked",
			Self::PriceAsc => "price_asc",
			Self::PriceDesc => "price_desc",
		}
	}
}

/// What a search found: the total, one page of hits (score, record, highlighted
/// title) and, when asked for, the facets of all matches.
pub struct Found {
	pub total: usize,
	pub hits: Vec<(Score, IndexedMedia, String)>,
	pub facets: Option<Facets>,
}

/// The orders of the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
	Newest,
	MostLiked,
	MostViewed,
}

impl Order {
	pub fn parse(s: &str) -> Option<Self> {
		match s {
			"newest" => Some(Self::Newest),
			"most_liked" => Some(Self::MostLiked),
			"most_viewed" => Some(Self::MostViewed),
			_ => None,
		}
	}

	pub fn name(self) -> &'static str {
		match self {
			Self::Newest => "newest",
			Self::MostLiked => "most_liked",
			Self::MostViewed => "most_viewed",
		}
	}
}

/// A place in the catalogue: the sort key and media id of the last item of a page.
/// Written as `KEY.ID` (for `newest` the key is the id itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cursor {
	pub key: u64,
	pub id: u64,
}

impl Cursor {
	pub fn parse(s: &str) -> Option<Self> {
		let (key, id) = s.split_once('.')?;
		Some(Self { key: key.parse().ok()?, id: id.parse().ok()? })
	}
}

impl std::fmt::Display for Cursor {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(f, "{}.{}", self.key, self.id)
	}
}

/// The year (UTC) of a Unix time in milliseconds.
pub fn year_of(ms: u64) -> i64 {
	// H. Hinnant's civil_from_days.
	let z = (ms / 86_400_000) as i64 + 719_468;
	let era = z.div_euclid(146_097);
	let doe = z - era * 146_097;
	let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
	let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	let mp = (5 * doy + 2) / 153;
	let month = if mp < 10 { mp + 3 } else { mp - 9 };
	yoe + era * 400 + i64::from(month <= 2)
}

/// The counts of a search's facets.
fn facets_of(counts: &FacetCounts) -> Facets {
	let named = |root: &str| -> BTreeMap<String, u64> {
		counts.get(root).map(|(facet, count)| (last_segment(facet), count)).collect()
	};
	Facets {
		kind: named("/kind"),
		price: named("/price"),
		year: named("/year"),
		owner: counts
			.top_k("/owner", TOP_OWNERS)
			.into_iter()
			.map(|(facet, count)| FacetCount { value: last_segment(facet), count })
			.collect(),
	}
}

fn last_segment(facet: &Facet) -> String {
	facet.to_path().last().map(|s| s.to_string()).unwrap_or_default()
}

/// The edit distance of `a` and `b` with a swap of neighbours as one edit (optimal
/// string alignment), as tantivy's fuzzy queries count typos.
fn typo_distance(a: &[char], b: &[char]) -> usize {
	let (n, m) = (a.len(), b.len());
	let mut d = vec![vec![0usize; m + 1]; n + 1];
	for (i, row) in d.iter_mut().enumerate() {
		row[0] = i;
	}
	for (j, cell) in d[0].iter_mut().enumerate() {
		*cell = j;
	}
	for i in 1..=n {
		for j in 1..=m {
			let cost = usize::from(a[i - 1] != b[j - 1]);
			d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
			if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
				d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
			}
		}
	}
	d[n][m]
}

/// Whether the title word `token` is matched by query word `word` (the last one may be
/// a prefix), as the search matches them.
fn matches(token: &str, word: &str, last: bool) -> bool {
	let distance = usize::from(typos(word.chars().count()));
	let (token, word): (Vec<char>, Vec<char>) = (token.chars().collect(), word.chars().collect());
	if typo_distance(&token, &word) <= distance {
		return true;
	}
	// A prefix of the token within one typo of the word being typed (as the search).
	let distance = distance.min(1);
	last && (word.len().saturating_sub(distance)..=word.len() + distance)
		.filter(|&len| len <= token.len())
		.any(|len| typo_distance(&token[..len], &word) <= distance)
}

/// `title`, HTML-escaped, with each word `words` match in `<mark>…</mark>`.
pub fn highlight(title: &str, words: &[String]) -> String {
	let escape = |s: &str| {
		s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
	};
	let mut analyzer = analyzer();
	let mut stream = analyzer.token_stream(title);
	let mut out = String::with_capacity(title.len() + 16);
	let mut at = 0;
	while stream.advance() {
		let token = stream.token();
		let hit =
			words.iter().enumerate().any(|(i, w)| matches(&token.text, w, i + 1 == words.len()));
		if hit && token.offset_from >= at && token.offset_to <= title.len() {
			out.push_str(&escape(&title[at..token.offset_from]));
			out.push_str("<mark>");
			out.push_str(&escape(&title[token.offset_from..token.offset_to]));
			out.push_str("</mark>");
			at = token.offset_to;
		}
	}
	out.push_str(&escape(&title[at..]));
	out
}

/// The index, its writer and a reader that sees every commit.
pub struct SearchIndex {
	index: Index,
	fields: Fields,
	writer: Mutex<IndexWriter>,
	reader: IndexReader,
}

impl SearchIndex {
	/// Opens the index in `dir`, creating it when there is none, and rebuilding it
	/// (empty, from genesis) when it was made with another schema version.
	pub fn open(dir: &Path) -> anyhow::Result<Self> {
		let version_file = dir.join("schema-version");
		let version = std::fs::read_to_string(&version_file).ok();
		if dir.exists() && version.as_deref().map(str::trim) != Some(&SCHEMA_VERSION.to_string()) {
			tracing::warn!(
				"the index in {} has schema version {}, this indexer writes {SCHEMA_VERSION}: \
				 rebuilding it from genesis",
				dir.display(),
				version.as_deref().map(str::trim).unwrap_or("1")
			);
			std::fs::remove_dir_all(dir)
				.with_context(|| format!("removing the old index in {}", dir.display()))?;
		}
		std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
		std::fs::write(&version_file, SCHEMA_VERSION.to_string())
			.with_context(|| format!("writing {}", version_file.display()))?;
		let (schema, fields) = Fields::schema();
		let directory = tantivy::directory::MmapDirectory::open(dir)
			.with_context(|| format!("opening the index in {}", dir.display()))?;
		let index = Index::open_or_create(directory, schema)
			.with_context(|| format!("the index in {} has another schema", dir.display()))?;
		Self::with_index(index, fields)
	}

	/// An index in memory, for tests.
	#[cfg(test)]
	pub fn in_memory() -> anyhow::Result<Self> {
		let (schema, fields) = Fields::schema();
		Self::with_index(Index::create_in_ram(schema), fields)
	}

	fn with_index(index: Index, fields: Fields) -> anyhow::Result<Self> {
		index.tokenizers().register(FOLDED, analyzer());
		let writer = index.writer_with_num_threads(1, WRITER_HEAP_BYTES)?;
		let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
		Ok(Self { index, fields, writer: Mutex::new(writer), reader })
	}

	/// The position of the last commit (the default, block 0, for a new index).
	pub fn position(&self) -> anyhow::Result<Position> {
		match self.index.load_metas()?.payload {
			Some(payload) => {
				serde_json::from_str(&payload).context("the index's position is unreadable")
			},
			None => Ok(Position::default()),
		}
	}

	/// Replaces the document of `media.id` (in the next commit).
	pub fn upsert(&self, media: &IndexedMedia, owner_key: &str) -> anyhow::Result<()> {
		let f = self.fields;
		let mut doc = TantivyDocument::new();
		doc.add_u64(f.id, media.id);
		doc.add_text(f.title, &media.title);
		doc.add_text(f.title_key, words(&media.title).join(" "));
		doc.add_text(f.owner, owner_key);
		doc.add_text(f.status, &media.status);
		doc.add_u64(f.registered_ms, media.registered_at);
		if let Some(point) = media.location {
			doc.add_i64(f.latitude, (point.latitude * 1e6).round() as i64);
			doc.add_i64(f.longitude, (point.longitude * 1e6).round() as i64);
		}
		doc.add_u64(f.likes, u64::from(media.likes));
		doc.add_u64(f.views, media.views);
		doc.add_text(f.record, serde_json::to_string(media)?);
		if let Some(name) = &media.owner_name {
			doc.add_text(f.owner_name, name);
		}
		doc.add_text(f.kind, &media.kind);
		let price = media.price.as_deref().and_then(|p| p.parse::<u128>().ok()).unwrap_or(0);
		let paid = if price > 0 { "paid" } else { "free" };
		doc.add_text(f.paid, paid);
		doc.add_u64(f.price, u64::try_from(price / 1_000_000_000_000).unwrap_or(u64::MAX));
		for facet in [
			format!("/kind/{}", media.kind),
			format!("/price/{paid}"),
			format!("/year/{}", year_of(media.registered_at)),
			format!("/owner/{}", media.owner),
		] {
			doc.add_facet(f.facets, Facet::from_text(&facet)?);
		}
		let writer = self.writer.lock().map_err(|_| anyhow::anyhow!("index writer poisoned"))?;
		writer.delete_term(Term::from_field_u64(f.id, media.id));
		writer.add_document(doc)?;
		Ok(())
	}

	/// Removes every document (committed with the default position).
	pub fn clear(&self) -> anyhow::Result<()> {
		self.writer
			.lock()
			.map_err(|_| anyhow::anyhow!("index writer poisoned"))?
			.delete_all_documents()?;
		self.commit(&Position::default())
	}

	/// Makes every upsert since the last commit durable together with `position`, and
	/// visible to searches.
	pub fn commit(&self, position: &Position) -> anyhow::Result<()> {
		{
			let mut writer =
				self.writer.lock().map_err(|_| anyhow::anyhow!("index writer poisoned"))?;
			let mut prepared = writer.prepare_commit()?;
			prepared.set_payload(&serde_json::to_string(position)?);
			prepared.commit()?;
		}
		self.reader.reload()?;
		Ok(())
	}

	fn record(&self, searcher: &tantivy::Searcher, at: DocAddress) -> anyhow::Result<IndexedMedia> {
		let doc: TantivyDocument = searcher.doc(at)?;
		let json = doc
			.get_first(self.fields.record)
			.and_then(|v| v.as_str())
			.context("a document without its record")?;
		Ok(serde_json::from_str(json)?)
	}

	/// The indexed record of `id`, deleted or not.
	pub fn get(&self, id: MediaId) -> anyhow::Result<Option<IndexedMedia>> {
		let searcher = self.reader.searcher();
		let query =
			TermQuery::new(Term::from_field_u64(self.fields.id, id), IndexRecordOption::Basic);
		let top = searcher.search(&query, &TopDocs::with_limit(1))?;
		top.first().map(|(_, at)| self.record(&searcher, *at)).transpose()
	}

	/// Every indexed media item of the owner keyed `owner_key`, deleted ones too.
	pub fn ids_of_owner(&self, owner_key: &str) -> anyhow::Result<Vec<MediaId>> {
		let searcher = self.reader.searcher();
		let query = TermQuery::new(
			Term::from_field_text(self.fields.owner, owner_key),
			IndexRecordOption::Basic,
		);
		let limit = (searcher.num_docs() as usize).max(1);
		let top = searcher.search(&query, &TopDocs::with_limit(limit))?;
		top.into_iter().map(|(_, at)| Ok(self.record(&searcher, at)?.id)).collect()
	}

	/// Active media matching `filters` (and nothing else: the catalogue's base).
	fn filter_clauses(&self, filters: &Filters) -> Vec<(Occur, Box<dyn Query>)> {
		let f = self.fields;
		let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
			Occur::Must,
			Box::new(TermQuery::new(
				Term::from_field_text(f.status, "active"),
				IndexRecordOption::Basic,
			)),
		)];
		if let Some(owner) = &filters.owner {
			clauses.push((
				Occur::Must,
				Box::new(TermQuery::new(
					Term::from_field_text(f.owner, owner),
					IndexRecordOption::Basic,
				)),
			));
		}
		if filters.registered_from.is_some() || filters.registered_to.is_some() {
			let term = |ms: u64| Term::from_field_u64(f.registered_ms, ms);
			clauses.push((
				Occur::Must,
				Box::new(RangeQuery::new(
					filters.registered_from.map_or(Bound::Unbounded, |t| Bound::Included(term(t))),
					filters.registered_to.map_or(Bound::Unbounded, |t| Bound::Included(term(t))),
				)),
			));
		}
		for (field, value) in [
			(f.kind, filters.kind.as_deref()),
			(f.paid, filters.paid.map(|p| if p { "paid" } else { "free" })),
		] {
			if let Some(value) = value {
				clauses.push((
					Occur::Must,
					Box::new(TermQuery::new(
						Term::from_field_text(field, value),
						IndexRecordOption::Basic,
					)),
				));
			}
		}
		if let Some((min_lat, min_lon, max_lat, max_lon)) = filters.bbox {
			for (field, low, high) in
				[(f.latitude, min_lat, max_lat), (f.longitude, min_lon, max_lon)]
			{
				clauses.push((
					Occur::Must,
					Box::new(RangeQuery::new(
						Bound::Included(Term::from_field_i64(field, i64::from(low))),
						Bound::Included(Term::from_field_i64(field, i64::from(high))),
					)),
				));
			}
		}
		clauses
	}

	/// Search of titles and owners' names. Every word of `query` must match the title
	/// or the owner's name: exactly, with [`typos`] typos, or — the last word, which the
	/// user may still be typing — as the start of a word, with up to one typo. Exact words
	/// score above typos and prefixes, and an item whose whole title is the query above
	/// all. An empty query matches everything the filters let through.
	pub fn search(
		&self,
		query: &str,
		filters: &Filters,
		sort: Sort,
		limit: usize,
		offset: usize,
		with_facets: bool,
	) -> anyhow::Result<Found> {
		let f = self.fields;
		let words = words(query);
		let mut clauses = self.filter_clauses(filters);
		for (i, word) in words.iter().enumerate() {
			let last = i + 1 == words.len();
			let distance = typos(word.chars().count());
			let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
			// Titles take typos; owners' names (short, few) are matched exactly or, being
			// typed, by prefix. A word being typed takes at most one typo: a prefix with
			// two matches too much, and costs the most to search.
			for (field, boost, fuzzy) in [(f.title, 3.0, true), (f.owner_name, 1.5, false)] {
				let term = Term::from_field_text(field, word);
				alternatives.push((
					Occur::Should,
					Box::new(BoostQuery::new(
						Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
						boost,
					)),
				));
				if fuzzy && distance > 0 {
					alternatives.push((
						Occur::Should,
						Box::new(FuzzyTermQuery::new(term.clone(), distance, true)),
					));
				}
				if last {
					let prefix_typos = if fuzzy { distance.min(1) } else { 0 };
					alternatives.push((
						Occur::Should,
						Box::new(FuzzyTermQuery::new_prefix(term, prefix_typos, true)),
					));
				}
			}
			clauses.push((Occur::Must, Box::new(BooleanQuery::new(alternatives))));
		}
		if !words.is_empty() {
			clauses.push((
				Occur::Should,
				Box::new(BoostQuery::new(
					Box::new(TermQuery::new(
						Term::from_field_text(f.title_key, &words.join(" ")),
						IndexRecordOption::Basic,
					)),
					10.0,
				)),
			));
		}
		let query = BooleanQuery::new(clauses);
		let searcher = self.reader.searcher();
		// Counting facets visits every match: only when the caller shows them.
		let facets = with_facets.then(|| {
			let mut facets = FacetCollector::for_field("facets");
			for root in ["/kind", "/price", "/year", "/owner"] {
				facets.add_facet(root);
			}
			facets
		});
		let page = TopDocs::with_limit(limit.max(1)).and_offset(offset);
		let ordered = |field: &'static str, order: tantivy::Order| {
			TopDocs::with_limit(limit.max(1)).and_offset(offset).order_by_u64_field(field, order)
		};
		// Without words every score is equal: browsing is newest first.
		let sort = if words.is_empty() && sort == Sort::Relevance { Sort::Newest } else { sort };
		let (top, total, counts): (Vec<(Score, DocAddress)>, usize, Option<FacetCounts>) =
			match sort {
				Sort::Relevance => searcher.search(&query, &(page, Count, facets))?,
				other => {
					let (field, order) = match other {
						Sort::Newest => ("id", tantivy::Order::Desc),
						Sort::MostViewed => ("views", tantivy::Order::Desc),
						Sort::MostLiked => ("likes", tantivy::Order::Desc),
						Sort::PriceAsc => ("price", tantivy::Order::Asc),
						_ => ("price", tantivy::Order::Desc),
					};
					let (top, total, counts) =
						searcher.search(&query, &(ordered(field, order), Count, facets))?;
					(top.into_iter().map(|(_, at)| (0.0, at)).collect(), total, counts)
				},
			};
		let hits = top
			.into_iter()
			.take(limit)
			.map(|(score, at)| {
				let media = self.record(&searcher, at)?;
				let highlighted = highlight(&media.title, &words);
				Ok((score, media, highlighted))
			})
			.collect::<anyhow::Result<Vec<_>>>()?;
		Ok(Found { total, hits, facets: counts.as_ref().map(facets_of) })
	}

	/// The catalogue: active media (of `filters.owner`, if given) in `order`, the
	/// `limit` items after `after`. Returns the items and the cursor of the last one
	/// when more may follow.
	pub fn catalogue(
		&self,
		filters: &Filters,
		order: Order,
		limit: usize,
		after: Option<Cursor>,
	) -> anyhow::Result<(Vec<IndexedMedia>, Option<Cursor>)> {
		let clauses = self.filter_clauses(filters);
		let query: Box<dyn Query> = if clauses.is_empty() {
			Box::new(AllQuery)
		} else {
			Box::new(BooleanQuery::new(clauses))
		};
		let key_field = match order {
			Order::Newest => None,
			Order::MostLiked => Some("likes"),
			Order::MostViewed => Some("views"),
		};
		// Score = (after the cursor?, key, id): items at or before the cursor sort
		// below every item after it and are dropped.
		let collector =
			TopDocs::with_limit(limit + 1).custom_score(move |segment: &SegmentReader| {
				let ids = segment.fast_fields().u64("id").expect("id is a fast field");
				let keys =
					key_field.map(|name| segment.fast_fields().u64(name).expect("a fast field"));
				move |doc: DocId| {
					let id = ids.first(doc).unwrap_or_default();
					let key = match &keys {
						Some(column) => column.first(doc).unwrap_or_default(),
						None => id,
					};
					let cursor = Cursor { key, id };
					(after.is_none_or(|a| cursor < a), cursor)
				}
			});
		let searcher = self.reader.searcher();
		let top = searcher.search(&query, &collector)?;
		let mut items = Vec::new();
		let mut more = false;
		let mut last = None;
		for ((in_page, cursor), at) in top {
			if !in_page {
				break;
			}
			if items.len() == limit {
				more = true;
				break;
			}
			items.push(self.record(&searcher, at)?);
			last = Some(cursor);
		}
		Ok((items, if more { last } else { None }))
	}

	/// Documents in the index, deleted media included.
	pub fn len(&self) -> u64 {
		self.reader.searcher().num_docs()
	}
}

#[cfg(test)]
pub(crate) mod tests {
	use super::*;
	use paratii_client::wire::GeoPoint;

	pub(crate) fn media(id: MediaId, title: &str) -> IndexedMedia {
		IndexedMedia {
			id,
			owner: "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY".into(),
			title: title.into(),
			status: "active".into(),
			flagged: false,
			flags: 0,
			likes: 0,
			dislikes: 0,
			views: 0,
			location: None,
			captured_at: None,
			registered_block: id as u32,
			registered_at: 1_000 * id,
			objects: Vec::new(),
			indexed_at: 1,
			kind: "picture".into(),
			price: None,
			minute_price: None,
			owner_name: None,
			thumbnail: None,
		}
	}

	fn index(titles: &[&str]) -> SearchIndex {
		let index = SearchIndex::in_memory().unwrap();
		for (i, title) in titles.iter().enumerate() {
			index.upsert(&media(i as u64, title), "0xaa").unwrap();
		}
		index.commit(&Position::default()).unwrap();
		index
	}

	fn sorted(mut v: Vec<MediaId>) -> Vec<MediaId> {
		v.sort();
		v
	}

	fn found(index: &SearchIndex, q: &str, filters: Filters, sort: Sort) -> Found {
		index.search(q, &filters, sort, 10, 0, true).unwrap()
	}

	fn ids(index: &SearchIndex, q: &str) -> Vec<MediaId> {
		found(index, q, Filters::default(), Sort::Relevance).hits.iter().map(|h| h.1.id).collect()
	}

	#[test]
	fn words_are_lower_cased_and_folded() {
		assert_eq!(words("Açaí na PRAIA, São-Paulo!"), ["acai", "na", "praia", "sao", "paulo"]);
	}

	#[test]
	fn prefix_typo_accents_and_exact_title_first() {
		let index = index(&[
			"Sunset over Lisbon",
			"Lisbon sunset over the river",
			"Café in Paris",
			"Sunrise",
			"Sun",
		]);
		// The last word is a prefix.
		assert_eq!(sorted(ids(&index, "suns")), [0, 1]);
		assert_eq!(sorted(ids(&index, "sun")), [0, 1, 3, 4]);
		// One typo in words of five letters or more, last or not; none in shorter words.
		assert_eq!(sorted(ids(&index, "lisbom")), [0, 1]);
		assert_eq!(sorted(ids(&index, "sunst over")), [0, 1]);
		assert!(ids(&index, "sum lisbon").is_empty());
		// Accents and case fold.
		assert_eq!(ids(&index, "cafe"), [2]);
		assert_eq!(ids(&index, "CAFÉ PARIS"), [2]);
		// The exact title ranks first.
		assert_eq!(ids(&index, "sunset over lisbon")[0], 0);
		assert_eq!(ids(&index, "Lisbon sunset over the river")[0], 1);
	}

	#[test]
	fn deleted_media_leave_results_and_filters_apply() {
		let index = index(&["Sunset over Lisbon", "Sunset in Porto", "Sunset in Kyoto"]);
		let mut porto = media(1, "Sunset in Porto");
		porto.location = Some(GeoPoint { latitude: 41.15, longitude: -8.61 });
		index.upsert(&porto, "0xbb").unwrap();
		let mut lisbon = media(0, "Sunset over Lisbon");
		lisbon.status = "deleted".into();
		index.upsert(&lisbon, "0xaa").unwrap();
		index.commit(&Position { block: 7, ..Default::default() }).unwrap();
		assert_eq!(index.position().unwrap().block, 7);
		assert_eq!(index.len(), 3, "one document per item, replaced");
		assert_eq!(sorted(ids(&index, "sunset")), [1, 2]);
		assert_eq!(index.get(0).unwrap().unwrap().status, "deleted");

		let search = |filters: Filters| {
			let hits = found(&index, "sunset", filters, Sort::Relevance).hits;
			sorted(hits.iter().map(|h| h.1.id).collect())
		};
		assert_eq!(search(Filters { owner: Some("0xbb".into()), ..Default::default() }), [1]);
		assert_eq!(
			search(Filters {
				bbox: Some((41_000_000, -9_000_000, 42_000_000, -8_000_000)),
				..Default::default()
			}),
			[1]
		);
		assert_eq!(
			search(Filters {
				registered_from: Some(1_500),
				registered_to: Some(2_000),
				..Default::default()
			}),
			[2]
		);
	}

	#[test]
	fn the_catalogue_pages_with_cursors() {
		let index = SearchIndex::in_memory().unwrap();
		for id in 0..25u64 {
			let mut m = media(id, &format!("clip {id}"));
			m.likes = (id % 5) as u32;
			m.views = 100 - id;
			index.upsert(&m, "0xaa").unwrap();
		}
		index.commit(&Position::default()).unwrap();
		let all = |order| {
			let (mut seen, mut cursor) = (Vec::new(), None);
			loop {
				let (items, next) =
					index.catalogue(&Filters::default(), order, 10, cursor).unwrap();
				seen.extend(items.iter().map(|m| (m.likes, m.views, m.id)));
				match next {
					Some(c) => cursor = Some(c),
					None => return seen,
				}
			}
		};
		let newest = all(Order::Newest);
		assert_eq!(
			newest.iter().map(|m| m.2).collect::<Vec<_>>(),
			(0..25).rev().collect::<Vec<_>>()
		);
		let liked = all(Order::MostLiked);
		assert_eq!(liked.len(), 25);
		assert!(liked.windows(2).all(|w| (w[0].0, w[0].2) > (w[1].0, w[1].2)));
		let viewed = all(Order::MostViewed);
		assert_eq!(viewed.iter().map(|m| m.2).collect::<Vec<_>>(), (0..25).collect::<Vec<_>>());
		assert_eq!(Cursor::parse("4.17"), Some(Cursor { key: 4, id: 17 }));
		assert_eq!(Cursor::parse("x"), None);
	}

	#[test]
	fn two_typos_in_long_words_and_typos_in_the_word_being_typed() {
		let index = index(&["Photographers at the harbour", "Waterfalls of Iguazu", "Sun"]);
		// Nine letters or more: two typos ("fotographers" is two edits from
		// "photographers"), not three.
		assert_eq!(ids(&index, "fotographers"), [0]);
		assert!(ids(&index, "fotograpers").is_empty(), "three typos");
		// Five to eight letters: one typo, not two.
		assert_eq!(ids(&index, "harbor"), [0]);
		assert!(ids(&index, "hrabro").is_empty(), "two typos in a six-letter word");
		// The word being typed, with a typo in it: "watef" is a prefix of "waterfalls" but
		// for one letter.
		assert_eq!(ids(&index, "watef"), [1]);
		// Short words stay exact.
		assert!(ids(&index, "sum").is_empty());
	}

	#[test]
	fn owner_names_are_searched_and_an_empty_query_browses() {
		let index = SearchIndex::in_memory().unwrap();
		let mut a = media(0, "Tram 28");
		a.owner_name = Some("Beatriz Ramos".into());
		let mut b = media(1, "Harbour at dawn");
		b.owner_name = Some("Ana".into());
		index.upsert(&a, "0xaa").unwrap();
		index.upsert(&b, "0xbb").unwrap();
		index.commit(&Position::default()).unwrap();
		assert_eq!(ids(&index, "beatriz"), [0]);
		assert_eq!(ids(&index, "ramos tram"), [0]);
		// Nothing typed: everything, newest first.
		assert_eq!(ids(&index, ""), [1, 0]);
	}

	#[test]
	fn filters_sorts_and_facets_by_kind_price_year_and_owner() {
		let index = SearchIndex::in_memory().unwrap();
		let year_ms = |y: i64| (days(y) * 86_400_000) as u64;
		for (id, kind, price, year, views) in [
			(0u64, "picture", None, 2025, 5u64),
			(1, "video", Some("3000000000000000000"), 2026, 50),
			(2, "video", Some("1000000000000000000"), 2026, 7),
			(3, "picture", None, 2026, 1),
		] {
			let mut m = media(id, &format!("Lisbon clip {id}"));
			m.kind = kind.into();
			m.price = price.map(String::from);
			m.registered_at = year_ms(year) + 1_000;
			m.views = views;
			if id == 3 {
				m.owner = "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty".into();
			}
			index.upsert(&m, "0xaa").unwrap();
		}
		index.commit(&Position::default()).unwrap();
		let all = found(&index, "lisbon", Filters::default(), Sort::Relevance);
		assert_eq!(all.total, 4);
		assert_eq!(
			all.facets.as_ref().unwrap().kind,
			[("picture".into(), 2), ("video".into(), 2)].into()
		);
		assert_eq!(
			all.facets.as_ref().unwrap().price,
			[("free".into(), 2), ("paid".into(), 2)].into()
		);
		assert_eq!(
			all.facets.as_ref().unwrap().year,
			[("2025".into(), 1), ("2026".into(), 3)].into()
		);
		assert_eq!(all.facets.as_ref().unwrap().owner[0].count, 3);
		assert_eq!(all.facets.as_ref().unwrap().owner.len(), 2);

		let videos = Filters { kind: Some("video".into()), ..Default::default() };
		let by = |filters: Filters, sort| -> Vec<MediaId> {
			found(&index, "lisbon", filters, sort).hits.iter().map(|h| h.1.id).collect()
		};
		assert_eq!(by(videos.clone(), Sort::PriceAsc), [2, 1]);
		assert_eq!(by(videos, Sort::PriceDesc), [1, 2]);
		assert_eq!(by(Filters { paid: Some(false), ..Default::default() }, Sort::Newest), [3, 0]);
		assert_eq!(by(Filters::default(), Sort::MostViewed), [1, 2, 0, 3]);
		// Facets count what the filters let through.
		let free = found(
			&index,
			"lisbon",
			Filters { paid: Some(false), ..Default::default() },
			Sort::Relevance,
		);
		assert_eq!(free.facets.unwrap().price, [("free".into(), 2)].into());
	}

	#[test]
	fn matched_words_are_highlighted_and_the_rest_escaped() {
		let q = |s: &str| words(s);
		assert_eq!(
			highlight("Sunset over Lisbon", &q("lisbon")),
			"Sunset over <mark>Lisbon</mark>"
		);
		assert_eq!(
			highlight("Café <b>Paris</b>", &q("cafe")),
			"<mark>Café</mark> &lt;b&gt;Paris&lt;/b&gt;"
		);
		// A typo and the prefix being typed.
		assert_eq!(
			highlight("Waterfalls of Iguazu", &q("iguazo wat")),
			"<mark>Waterfalls</mark> of <mark>Iguazu</mark>"
		);
		assert_eq!(highlight("Sun", &q("")), "Sun");
	}

	#[test]
	fn years_are_utc() {
		assert_eq!(year_of(0), 1970);
		assert_eq!(year_of(1_795_478_399_999), 2026);
		assert_eq!(year_of(days(2024) as u64 * 86_400_000 - 1), 2023);
	}

	/// Days from 1970-01-01 to January 1st of `year`.
	fn days(year: i64) -> i64 {
		(1970..year)
			.map(|y| if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 { 366 } else { 365 })
			.sum()
	}
}
