// The console's certificate search (GET /api/v1/certificates, paged by offset)
// and certificate information export (GET /api/v1/export: a ZIP the browser
// saves by itself, with the operator's client certificate). Both take the same
// filters (README "Certificate look-up (operators)"); an empty field is not
// sent, since the API refuses empty parameters.
import { t, getJson, problemText, el, show, say, day, when } from './common.js';

export const CERTIFICATES_EN = {
  'search-title': 'Certificate search', filters: 'Filters (certificates matching all that are filled in)',
  'f-serial': 'Serial number (decimal, or hex starting with 0x)',
  'f-subject-contains': 'Part of the subject DN (case-sensitive, e.g. CN=user1.)',
  'f-subject': 'Subject DN (exact: CN=..,OU=..,O=..,L=..,ST=..,C=JP)',
  'f-mail': 'Subscriber mail (the request row\'s user mail, else its admin mail)', 'f-status': 'Status',
  'status-any': 'Any', 'status-valid': 'Valid', 'status-revoked': 'Revoked', 'status-expired': 'Expired',
  'f-limit': 'Certificates per page', search: 'Search', 'col-serial-dec': 'Serial number (decimal)',
  'col-validity': 'Validity', 'col-mail': 'Mail', prev: 'Previous page', next: 'Next page',
  'copy-all': 'Copy every serial shown', 'export-title': 'Certificate information download (ZIP)',
  'export-explain': 'Saves the list (certificates.tsv) and the certificates (PEM) of every certificate that matches, as one ZIP file. Without filters: every certificate you may see.',
  'f-encoding': 'Character encoding of the list', 'export-download': 'Download the ZIP file',
};

const STATUS = { valid: ['有効', 'valid'], revoked: ['失効', 'revoked'], expired: ['期限切れ', 'expired'] };
let search = null; // {query, answer}: the last search, kept to page and to redraw in the other language

// The template's filters into a form; each control's id is <prefix>-<name>.
function addFilters(form, prefix) {
  const fields = document.getElementById('filters-template').content.cloneNode(true);
  for (const c of fields.querySelectorAll('[name]')) c.id = `${prefix}-${c.name.replace('_', '-')}`;
  form.querySelector('.filters-here').replaceWith(fields);
}

// The form's filled-in fields (the API refuses empty parameters), without `leave`.
function paramsOf(form, leave = []) {
  const q = new URLSearchParams();
  for (const [k, v] of new FormData(form)) if (v !== '' && !leave.includes(k)) q.append(k, v);
  return q;
}

const withParam = (query, k, v) => `${query}${query ? '&' : ''}${k}=${encodeURIComponent(v)}`;

async function copy(text, what) {
  try {
    await navigator.clipboard.writeText(text);
    say('copy-status', 'note', () => t(`コピーしました: ${what()}`, `Copied: ${what()}`));
  } catch (err) {
    say('copy-status', 'error', () => t('コピーできませんでした。シリアル番号を選択してコピーしてください。',
      'Could not copy: select the serial number and copy it.'));
  }
}

function statusOf(c) {
  const expired = c.status === 'valid' && c.not_after * 1000 < Date.now();
  let text = t(...(STATUS[expired ? 'expired' : c.status] || [c.status, c.status]));
  if (c.status === 'revoked' && c.revoked_at) text += ` (${when(c.revoked_at)})`;
  if (c.delivery === 'pending') text += t('（利用者の取得前）', ' (not yet downloaded)');
  return text;
}

function render() {
  if (!search) return;
  const { answer } = search;
  const n = answer.certificates.length;
  say('search-summary', '', () => (answer.total === 0
    ? t('条件に合う証明書はありません。', 'No certificate matches.')
    : t(`${answer.total} 件中 ${answer.offset + 1}–${answer.offset + n} 件目`,
      `${answer.offset + 1}–${answer.offset + n} of ${answer.total}`)));
  const body = document.querySelector('#certificates tbody');
  body.replaceChildren();
  for (const c of answer.certificates) {
    const button = el('button', { type: 'button', class: 'copy', 'aria-label': t(`シリアル番号 ${c.serial} をコピー`, `Copy serial ${c.serial}`),
      text: t('コピー', 'Copy') });
    button.addEventListener('click', () => copy(c.serial, () => c.serial));
    body.append(el('tr', {}, el('td', {}, el('code', { class: 'serial', text: c.serial }), ' ', button),
      el('td', { text: c.subject }), el('td', { class: 'nowrap', text: statusOf(c) }),
      el('td', { text: `${day(c.not_before)} – ${day(c.not_after)}` }), el('td', { text: c.mail || '' })));
  }
  document.getElementById('search-prev').disabled = answer.offset === 0;
  document.getElementById('search-next').disabled = answer.next_offset === null;
  document.getElementById('copy-all').disabled = n === 0;
  show(document.getElementById('search-result'), true);
}

async function runSearch(query, offset) {
  try {
    const answer = await getJson(`/api/v1/certificates?${withParam(query, 'offset', offset)}`);
    search = { query, answer };
    render();
  } catch (err) {
    search = null;
    document.querySelector('#certificates tbody').replaceChildren();
    say('search-summary', 'error', () => problemText(err));
    show(document.getElementById('search-result'), true);
  }
}

function page(direction) {
  const { query, answer } = search;
  const offset = direction > 0 ? answer.next_offset : Math.max(0, answer.offset - answer.limit);
  runSearch(query, offset);
}

// The export is a plain GET the browser saves (the ZIP streams; the page never
// holds it). The look-up is asked first with the same filters, so a filter the
// API refuses, or no match, is said here instead of replacing the page.
async function exportZip(ev) {
  ev.preventDefault();
  const form = document.getElementById('export-form');
  try {
    const { total } = await getJson(`/api/v1/certificates?${withParam(paramsOf(form, ['encoding']).toString(), 'limit', 1)}`);
    say('export-status-text', 'note', () => t(`${total} 件の証明書のZIPファイルをダウンロードします。`,
      `Downloading the ZIP file of ${total} certificate(s).`));
    location.assign(`${form.getAttribute('action')}?${paramsOf(form)}`);
  } catch (err) {
    say('export-status-text', 'error', () => problemText(err));
  }
}

export function setupCertificates() {
  const searchForm = document.getElementById('search-form');
  addFilters(searchForm, 'search');
  addFilters(document.getElementById('export-form'), 'export');
  searchForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    runSearch(paramsOf(searchForm).toString(), 0);
  });
  document.getElementById('search-prev').addEventListener('click', () => page(-1));
  document.getElementById('search-next').addEventListener('click', () => page(1));
  document.getElementById('copy-all').addEventListener('click', () => {
    const serials = search ? search.answer.certificates.map((c) => c.serial) : [];
    copy(serials.join('\n'), () => t(`${serials.length} 件`, `${serials.length} serial(s)`));
  });
  document.getElementById('export-form').addEventListener('submit', exportZip);
  document.addEventListener('inkan-language', render);
}
