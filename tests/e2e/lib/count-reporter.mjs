// A node:test reporter that counts the tests the files define, for scripts/test.sh's
// summary. Node's own counts include an entry for a test file that defines no test (it
// "passes"), so a tier of empty files would look like a tier of passing tests; here a
// file's own entry counts only when it fails (it did not load, or a hook failed), and
// suites (describe) do not count, their tests do. It prints one line at the end:
//   ℹ counted: pass N fail N
export default async function* countReporter(source) {
  let pass = 0;
  let fail = 0;
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const { name, file, details } = event.data;
    const failed = event.type === 'test:fail';
    if (file && name === file) {
      if (failed) fail += 1;
    } else if (details?.type !== 'suite') {
      if (failed) fail += 1;
      else pass += 1;
    }
  }
  yield `ℹ counted: pass ${pass} fail ${fail}\n`;
}
