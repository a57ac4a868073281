// The request-file builder (subscriber admins; no operator certificate needed):
// rows from a form, checked in the page by the column rules (rules.js) as you
// type; "check on the server" asks POST /api/v1/requests/check where this page
// can reach it (the operator listener, i.e. an RA operator's browser); saved
// as Shift_JIS with CRLF line ends, as the service's files are.
import Encoding from 'encoding-japanese';
import { setupPage, t, postBytes, problemText, offerDownload, el } from './common.js';
import { checkRow, rowColumns, PROFILES } from './rules.js';

const FIELDS = [
  ['cn', 'CN（ホスト名またはメールアドレス）', 'CN (host name or mail address)', 'text'],
  ['ou', 'OU（任意、複数は ; で区切る）', 'OU (optional; several separated by ;)', 'text'],
  ['profile', 'プロファイルID', 'Profile id', 'profile'],
  ['adminName', '管理者氏名', "Subscriber admin's name", 'text'],
  ['adminDept', '管理者所属（任意）', "Admin's department (optional)", 'text'],
  ['adminMail', '管理者メールアドレス', "Admin's mail address", 'email'],
  ['userName', '利用者氏名', "User's name", 'text'],
  ['userDept', '利用者所属（任意）', "User's department (optional)", 'text'],
  ['userMail', '利用者メールアドレス', "User's mail address", 'email'],
  ['fileName', 'P12ファイル名（任意）', 'P12 file name (optional)', 'text'],
];
let rowCount = 0;

function addRow() {
  rowCount += 1;
  const n = rowCount;
  const fs = el('fieldset', { class: 'row', 'data-row': String(n) }, el('legend', { text: `${t('行', 'Row')} ${n}` }));
  for (const [name, ja, en, type] of FIELDS) {
    const id = `r${n}-${name}`;
    let input;
    if (type === 'profile') {
      input = el('select', { id, name });
      for (const p of PROFILES) input.append(el('option', { value: String(p), text: String(p) }));
    } else {
      input = el('input', { id, name, type });
    }
    const span = el('span', { text: t(ja, en), 'data-ja': ja, 'data-en': en, class: 'field-label' });
    fs.append(el('label', { for: id }, span, ' ', input));
  }
  const remove = el('button', { type: 'button', text: t('この行を削除', 'Remove this row'), 'data-ja': 'この行を削除', 'data-en': 'Remove this row', class: 'field-label' });
  remove.addEventListener('click', () => { fs.remove(); check(); });
  fs.append(remove);
  document.getElementById('rows').append(fs);
  check();
}

function value(id) {
  return document.getElementById(id).value.trim();
}

function rows() {
  const common = { o: value('o'), l: value('l'), st: value('st') };
  return [...document.querySelectorAll('fieldset.row')].map((fs) => {
    const r = { ...common };
    for (const [name] of FIELDS) r[name] = fs.querySelector(`[name=${name}]`).value.trim();
    return r;
  });
}

function downloadType() {
  return Number(document.getElementById('download-type').value);
}

function findingsTable(list) {
  const body = el('tbody');
  for (const f of list) {
    body.append(el('tr', {}, el('td', { text: String(f.line) }), el('td', { text: String(f.column) }), el('td', { text: f.text })));
  }
  return el('table', { id: 'findings-table' }, el('thead', {}, el('tr', {},
    el('th', { text: t('行', 'Line') }), el('th', { text: t('列', 'Column') }), el('th', { text: t('内容', 'Finding') }))), body);
}

// Client-side findings; an empty list means the file may be saved.
function check() {
  const list = [];
  rows().forEach((r, i) => {
    for (const f of checkRow(r, downloadType())) list.push({ line: i + 1, column: f.column, text: t(f.ja, f.en) });
  });
  const out = document.getElementById('findings');
  if (list.length === 0) {
    out.replaceChildren(el('p', { class: 'message', id: 'findings-ok', text: t('入力内容に誤りは見つかりません（機関の承認ドメインなどはRA担当者のアップロード時に確認されます）。', 'No errors found in the page (approved domains and the like are checked when the RA operator uploads).') }));
  } else {
    out.replaceChildren(el('p', { class: 'error', text: t('次の点を直してください。', 'Please correct the following.') }), findingsTable(list));
  }
  return list;
}

function fileText() {
  return rows().map((r) => rowColumns(r, downloadType()).join('\t') + '\r\n').join('');
}

// Shift_JIS bytes, or null when a character has no Shift_JIS form.
function shiftJis(text) {
  const sjis = Encoding.convert(Encoding.stringToCode(text), { to: 'SJIS', from: 'UNICODE' });
  const back = Encoding.codeToString(Encoding.convert(sjis, { to: 'UNICODE', from: 'SJIS' }));
  return back === text ? new Uint8Array(sjis) : null;
}

function save(ev) {
  ev.preventDefault();
  const saved = document.getElementById('saved');
  saved.replaceChildren();
  if (rows().length === 0 || check().length) return;
  const bytes = shiftJis(fileText());
  if (!bytes) {
    saved.append(el('span', { class: 'error', text: t('Shift_JISで表せない文字があります。', 'A character has no Shift_JIS form.') }));
    return;
  }
  const link = offerDownload(saved, bytes, 'text/tab-separated-values', 'request-issue.tsv', t('request-issue.tsv を保存', 'Save request-issue.tsv'));
  link.id = 'saved-file';
  link.click();
}

async function serverCheck() {
  const out = document.getElementById('findings');
  if (check().length) return;
  const bytes = shiftJis(fileText());
  try {
    const res = await postBytes('/api/v1/requests/check?action=issue&on_error=abort', bytes, 'text/tab-separated-values');
    const { report } = await res.json();
    const list = [];
    if (report.file_error) list.push({ line: 0, column: '', text: t(report.file_error.message_ja, report.file_error.message_en) });
    for (const r of report.rejected) for (const f of r.errors) list.push({ line: r.line, column: f.column, text: `${t(f.message_ja, f.message_en)} (${f.code})` });
    out.replaceChildren(list.length ? findingsTable(list)
      : el('p', { class: 'message', id: 'server-ok', text: t('サーバーの確認でも誤りはありません。', 'The server found no error either.') }));
  } catch (err) {
    const text = err.status === 404 || err.status === 401 || err.status === 403
      ? t('サーバーでの確認はRA担当者のコンソール（クライアント証明書が必要）からだけ使えます。このページの確認と、RA担当者のアップロード時の確認が行われます。',
        "The server check is available from the RA operator's console only (it needs the client certificate). The page's own check applies here, and the upload checks again.")
      : problemText(err);
    out.append(el('p', { class: 'note', id: 'server-unavailable', text }));
  }
}

setupPage({
  title: 'Request-file builder (issue)', explain: 'Builds an issue request file (TSV, Shift_JIS, CRLF line ends). What you type stays in this browser and is sent nowhere until you save. Hand the file to your RA operator.',
  common: 'Common to every row', o: 'Institution (O)', l: 'Locality (L)', st: 'Prefecture (ST)', 'download-type': 'Download type',
  dt1: '1: P12 individual', dt2: '2: P12 bulk', dt3: '3: browser', 'add-row': 'Add a row', 'server-check': 'Check on the server', save: 'Save the file (Shift_JIS)',
});
document.addEventListener('inkan-language', () => {
  for (const s of document.querySelectorAll('.field-label')) s.textContent = t(s.dataset.ja, s.dataset.en);
  check();
});
document.getElementById('add-row').addEventListener('click', addRow);
document.getElementById('server-check').addEventListener('click', serverCheck);
document.getElementById('builder').addEventListener('submit', save);
document.getElementById('builder').addEventListener('input', check);
addRow();
