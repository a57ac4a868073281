// The RA operator console (operator listener; the browser presents the
// operator's client certificate). Upload: the file is checked first by
// POST /api/v1/requests/check (nothing stored); the review dialog lists what
// will be registered, and only "register" POSTs /api/v1/requests. Certificate
// search and export: certificates.js; statistics: statistics.js.
import Encoding from 'encoding-japanese';
import { setupPage, t, getJson, postBytes, postJson, problemText, ApiError, el, show, when } from './common.js';
import { setupCertificates, CERTIFICATES_EN } from './certificates.js';
import { setupStatistics, STATISTICS_EN } from './statistics.js';

const COMPLETED = ['ファイルのアップロード処理が完了しました。', 'The file upload has been processed.'];
let pending = null; // {bytes, action, mode, report, lines}

function choice(name) {
  return document.querySelector(`input[name=${name}]:checked`).value;
}

// The file's lines as text (Shift_JIS or UTF-8), for the review dialog only.
function fileLines(bytes) {
  const codes = new Uint8Array(bytes);
  const from = Encoding.detect(codes, ['UTF8', 'SJIS']) || 'SJIS';
  const text = Encoding.convert(codes, { to: 'UNICODE', from, type: 'string' });
  return text.replace(/^\uFEFF/, '').split(/\r?\n/);
}

function findingsOf(report) {
  const out = [];
  if (report.file_error) out.push(report.file_error);
  for (const r of report.rejected || []) for (const f of r.errors) out.push(f);
  return out;
}

// The manual's error list: line, column, message.
function errorTable(findings) {
  const body = el('tbody');
  for (const f of findings) {
    body.append(el('tr', {},
      el('td', { text: String(f.line ?? '') }),
      el('td', { text: f.column ? `${f.column} ${t(f.column_ja || '', f.column_en || '')}` : t('ファイル', 'file') }),
      el('td', { text: `${t(f.message_ja, f.message_en)} (${f.code}${f.service_code ? ' / ' + f.service_code : ''})` })));
  }
  return el('table', { class: 'errors', id: 'error-table' },
    el('thead', {}, el('tr', {}, el('th', { text: t('行', 'Line') }), el('th', { text: t('項目', 'Column') }),
      el('th', { text: t('エラー内容', 'Message') }))), body);
}

function showResult(kind, text, findings) {
  const result = document.getElementById('result');
  result.replaceChildren(el('p', { class: kind, id: 'result-message', role: 'status', text }));
  if (findings && findings.length) result.append(errorTable(findings));
  show(result, true);
}

async function check(ev) {
  ev.preventDefault();
  const file = document.getElementById('file').files[0];
  if (!file) return;
  const bytes = await file.arrayBuffer();
  const action = choice('action');
  const mode = choice('on_error');
  try {
    const res = await postBytes(`/api/v1/requests/check?action=${action}&on_error=${mode}`, bytes,
      'text/tab-separated-values');
    const { report } = await res.json();
    const findings = findingsOf(report);
    if (report.accepted_count === 0) {
      showResult('error', t('エラーがあるため、登録は行われませんでした。ファイルを修正して、もう一度アップロードしてください。',
        'The file has errors: nothing was registered. Correct it and upload it again.'), findings);
      return;
    }
    pending = { bytes, action, mode, report, lines: fileLines(bytes) };
    openReview();
  } catch (err) {
    showResult('error', problemText(err));
  }
}

function openReview() {
  const { report, lines, action } = pending;
  document.getElementById('review-summary').textContent = t(
    `次の ${report.accepted_count} 行を登録します（処理: ${action}）。よろしければ「登録する」を押してください。`,
    `These ${report.accepted_count} row(s) will be registered (action: ${action}). Press "Register" to store them.`);
  const body = document.querySelector('#review-table tbody');
  body.replaceChildren();
  for (const line of report.accepted_lines) {
    const cols = (lines[line - 1] || '').split('\t');
    const third = action === 'revoke'
      ? `${t('シリアル', 'serial')} ${cols[3] || ''} / ${t('理由', 'reason')} ${cols[4] || ''}`
      : `${cols[1] || ''} / ${cols[2] || ''}${action === 'renew' ? ` / ${t('旧シリアル', 'old serial')} ${cols[3] || ''}` : ''}`;
    body.append(el('tr', {}, el('td', { text: String(line) }), el('td', { text: cols[0] || '' }),
      el('td', { text: third })));
  }
  const errors = document.getElementById('review-errors');
  errors.replaceChildren();
  const findings = findingsOf(report);
  if (findings.length) {
    errors.append(el('p', { class: 'error', text: t('次の行はエラーのため登録されません。', 'These rows have errors and are not registered.') }),
      errorTable(findings));
  }
  document.getElementById('review').showModal();
}

async function register() {
  const dialog = document.getElementById('review');
  const { bytes, action, mode } = pending;
  pending = null;
  dialog.close();
  try {
    const res = await postBytes(`/api/v1/requests?action=${action}&on_error=${mode}`, bytes,
      'text/tab-separated-values');
    const body = await res.json();
    showResult('message', t(...COMPLETED), findingsOf(body.report || {}));
    const result = document.getElementById('result');
    const n = action === 'revoke' ? (body.revoked || []).length : body.rows.length;
    result.append(el('p', { id: 'result-count', text: t(`登録した行: ${n}（申請ID ${body.batch_id || ''}）`,
      `Rows registered: ${n} (request ${body.batch_id || ''})`) }));
    const urls = [];
    if (body.pin_url) urls.push(['', t('一括', 'bulk'), body.pin_url, body.retrieval_url]);
    for (const r of body.rows || []) if (r.pin_url || r.retrieval_url) urls.push([String(r.line), r.subject, r.pin_url || '', r.retrieval_url || '']);
    if (urls.length) {
      // mail.transport none: the answer carries the URLs for the operator to hand on.
      const tbody = el('tbody');
      for (const u of urls) tbody.append(el('tr', {}, ...u.map((x) => el('td', { text: x }))));
      result.append(el('table', { id: 'urls' }, el('thead', {}, el('tr', {}, el('th', { text: t('行', 'Line') }),
        el('th', { text: t('サブジェクトDN', 'Subject DN') }), el('th', { text: t('PIN表示URL', 'PIN URL') }),
        el('th', { text: t('証明書取得URL', 'Retrieval URL') }))), tbody));
    }
    if (body.urls_sent_by_mail) {
      result.append(el('p', { class: 'note', text: t('PIN表示URLと証明書取得URLはメールで送られます。', 'The PIN and retrieval URLs are sent by mail.') }));
    }
    loadHistory();
  } catch (err) {
    const findings = err instanceof ApiError && err.problem.report ? findingsOf(err.problem.report) : [];
    showResult('error', problemText(err), findings);
  }
}

const STATUS = {
  accepted: ['受付済', 'accepted'], pin_viewed: ['PIN表示済', 'PIN viewed'], downloaded: ['ダウンロード済', 'downloaded'],
  locked: ['ロック中', 'locked'], expired: ['期限切れ', 'expired'], resent: ['再送済', 're-sent'],
  open: ['処理中', 'open'], completed: ['完了', 'completed'],
};
const statusText = (s) => (STATUS[s] ? t(...STATUS[s]) : s);

async function loadHistory() {
  const body = document.querySelector('#batches tbody');
  try {
    const { batches } = await getJson('/api/v1/requests');
    body.replaceChildren();
    for (const b of batches) {
      const link = el('button', { type: 'button', class: 'link', text: b.batch_id });
      link.addEventListener('click', () => loadBatch(b.batch_id));
      body.append(el('tr', {}, el('td', { text: when(b.created_at) }), el('td', { text: b.action }),
        el('td', { text: b.download_type }), el('td', { text: statusText(b.status) }), el('td', {}, link)));
    }
  } catch (err) {
    body.replaceChildren(el('tr', {}, el('td', { colspan: '5', text: problemText(err) })));
  }
}

async function care(id, row, what) {
  const out = document.getElementById('care-result');
  try {
    const res = await postJson(`/api/v1/requests/${id}/rows/${row}/${what}`, {});
    await res.json();
    out.replaceChildren(el('p', { class: 'message', text: what === 'unlock'
      ? t('ロックを解除しました。', 'The row is unlocked.')
      : t('新しいURLを発行し、メールで再送しました。', 'New URLs were issued and sent again.') }));
  } catch (err) {
    out.replaceChildren(el('p', { class: 'error', text: problemText(err) }));
  }
  loadBatch(id, true);
}

async function loadBatch(id, keepMessage) {
  const detail = document.getElementById('batch-detail');
  if (!keepMessage) document.getElementById('care-result').replaceChildren();
  const b = await getJson(`/api/v1/requests/${id}`);
  document.getElementById('batch-title').textContent = `${t('申請', 'Request')} ${id}`;
  const body = document.querySelector('#rows tbody');
  body.replaceChildren();
  const now = Date.now() / 1000;
  const rows = b.download_type === 'p12_bulk' && b.action !== 'revoke'
    ? [{ row_id: 0, line: '', subject: t('一括（全行）', 'bulk (all rows)'), status: b.status, urls_expire_at: b.urls_expire_at }, ...b.rows]
    : b.rows;
  for (const r of rows) {
    const cell = el('td');
    if (r.status === 'locked') {
      const u = el('button', { type: 'button', text: t('ロック解除', 'Unlock') });
      u.addEventListener('click', () => care(id, r.row_id, 'unlock'));
      cell.append(u);
    }
    const bulkRow = b.download_type === 'p12_bulk';
    if (r.status !== 'downloaded' && r.status !== 'locked' && r.urls_expire_at <= now && (!bulkRow || r.row_id === 0)) {
      const s = el('button', { type: 'button', text: t('URL再送', 'Re-send URLs') });
      s.addEventListener('click', () => care(id, r.row_id, 'resend'));
      cell.append(s);
    }
    body.append(el('tr', {}, el('td', { text: String(r.row_id) }), el('td', { text: r.subject }),
      el('td', { text: statusText(r.status) + (r.failed_pin_attempts ? ` (${r.failed_pin_attempts})` : '') }),
      el('td', { text: r.serial || '' }), cell));
  }
  show(detail, true);
}

setupCertificates();
setupStatistics();
setupPage({
  ...CERTIFICATES_EN, ...STATISTICS_EN,
  title: 'RA operator console', 'upload-title': 'Upload a request file', action: 'Action',
  'action-issue': 'Issue', 'action-renew': 'Renew', 'action-revoke': 'Revoke', mode: 'On errors',
  'mode-abort': 'Abort everything if any row has an error', 'mode-skip': 'Register the valid rows only',
  file: 'Request file (TSV, Shift_JIS or UTF-8)', check: 'Check the file', 'review-title': 'Review before registering',
  'col-line': 'Line', 'col-dn': 'Subject DN', 'col-profile': 'Profile / download type', register: 'Register',
  cancel: 'Cancel', 'history-title': 'Request history', reload: 'Refresh', 'col-created': 'Created',
  'col-action': 'Action', 'col-type': 'Download type', 'col-status': 'Status', 'col-batch': 'Request ID',
  'col-row': 'Row', 'col-serial': 'Serial', 'col-care': 'Actions',
});
document.getElementById('upload-form').addEventListener('submit', check);
document.getElementById('register').addEventListener('click', register);
document.getElementById('cancel').addEventListener('click', () => {
  pending = null;
  document.getElementById('review').close();
  showResult('error', t('登録を取り消しました。何も登録されていません。', 'Cancelled: nothing was registered.'));
});
document.getElementById('reload').addEventListener('click', loadHistory);
loadHistory();
