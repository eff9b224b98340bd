//! The search index: one tantivy document per media item, replaced whenever the chain
//! changes the item, and the indexer's position stored in the same commit.
//!
//! **Titles** go through one analyzer, for documents and queries alike: split on
//! anything that is not a letter or digit, lower-cased, diacritics folded to ASCII
//! ("Açaí" → "acai"), words over 64 bytes dropped. A second field holds the whole
//! analysed title as one term, so a query that *is* a title ranks that item first.
//!
//! **The position** (last indexed block, its hash, the clusters' statuses) is the
//! payload of tantivy's commit: the documents of blocks up to N and "indexed up to
//! N" become durable together. A crash between commits loses nothing — the indexer
//! resumes after the last commit and re-reads those blocks — and counts nothing
//! twice, because a document is the item's state read from the chain at that block,
//! keyed by media id, not a sum of events.

use anyhow::Context;
use paratii_client::{wire::IndexedMedia, ClusterId, MediaId};
use serde::{Deserialize, Serialize};
use std::{collections::BTreeMap, ops::Bound, path::Path, sync::Mutex};
use tantivy::{
	collector::{Count, TopDocs},
	query::{
		AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, RangeQuery, TermQuery,
	},
	schema::{
		Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED,
		STORED, STRING,
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
			title: b.add_text_field("title", title),
			title_key: b.add_text_field("title_key", STRING),
			owner: b.add_text_field("owner", STRING),
			status: b.add_text_field("status", STRING),
			registered_ms: b.add_u64_field("registered_ms", INDEXED | FAST),
			latitude: b.add_i64_field("latitude", INDEXED | FAST),
			longitude: b.add_i64_field("longitude", INDEXED | FAST),
			likes: b.add_u64_field("likes", FAST),
			views: b.add_u64_field("views", FAST),
			record: b.add_text_field("record", STORED),
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

/// The index, its writer and a reader that sees every commit.
pub struct SearchIndex {
	index: Index,
	fields: Fields,
	writer: Mutex<IndexWriter>,
	reader: IndexReader,
}

impl SearchIndex {
	/// Opens the index in `dir`, creating it when there is none.
	pub fn open(dir: &Path) -> anyhow::Result<Self> {
		std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
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

	/// Relevance-ranked search of titles. Every word of `query` must match: exactly,
	/// with one typo (words of [`TYPO_MIN_CHARS`] or more characters; a swap of two
	/// letters is one typo), or — the last word, which the user may still be typing —
	/// as the start of a word (without a typo: a typo in a prefix matches too much). Exact words score
	/// above typos and prefixes, and an item whose whole title is the query above all.
	pub fn search(
		&self,
		query: &str,
		filters: &Filters,
		limit: usize,
		offset: usize,
	) -> anyhow::Result<(usize, Vec<(Score, IndexedMedia)>)> {
		let f = self.fields;
		let words = words(query);
		let mut clauses = self.filter_clauses(filters);
		for (i, word) in words.iter().enumerate() {
			let term = Term::from_field_text(f.title, word);
			let last = i + 1 == words.len();
			let long = word.chars().count() >= TYPO_MIN_CHARS;
			let mut alternatives: Vec<(Occur, Box<dyn Query>)> = vec![(
				Occur::Should,
				Box::new(BoostQuery::new(
					Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
					3.0,
				)),
			)];
			if long {
				alternatives
					.push((Occur::Should, Box::new(FuzzyTermQuery::new(term.clone(), 1, true))));
			}
			if last {
				alternatives.push((
					Occur::Should,
					Box::new(FuzzyTermQuery::new_prefix(term.clone(), 0, true)),
				));
			}
			clauses.push((Occur::Must, Box::new(BooleanQuery::new(alternatives))));
		}
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
		let query = BooleanQuery::new(clauses);
		let searcher = self.reader.searcher();
		let (top, total) = searcher
			.search(&query, &(TopDocs::with_limit(limit.max(1)).and_offset(offset), Count))?;
		let hits = top
			.into_iter()
			.take(limit)
			.map(|(score, at)| Ok((score, self.record(&searcher, at)?)))
			.collect::<anyhow::Result<Vec<_>>>()?;
		Ok((total, hits))
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
mod tests {
	use super::*;
	use paratii_client::wire::GeoPoint;

	fn media(id: MediaId, title: &str) -> IndexedMedia {
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

	fn ids(index: &SearchIndex, q: &str) -> Vec<MediaId> {
		index.search(q, &Filters::default(), 10, 0).unwrap().1.iter().map(|(_, m)| m.id).collect()
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
			let hits = index.search("sunset", &filters, 10, 0).unwrap().1;
			sorted(hits.iter().map(|(_, m)| m.id).collect())
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
}
