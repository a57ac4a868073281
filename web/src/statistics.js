// The console's statistics (発行証明書統計照会, GET /api/v1/statistics): the JSON
// answer as one table (as the CSV lays it out: dimension, key, counts), or the
// CSV saved by the browser.
import { t, getJson, problemText, el, show, say } from './common.js';

export const STATISTICS_EN = {
  'stats-title': 'Certificate statistics', 'f-format': 'Format', 'format-table': 'Show as a table',
  'format-csv': 'Download a CSV file', 'stats-show': 'Show', 'col-dimension': 'Dimension', 'col-key': 'Key',
  'col-issued': 'Issued', 'col-renewed': 'of which renewals', 'col-revoked': 'Revoked', 'col-valid': 'Valid',
  'col-expiring': 'Expiring within 30 days',
};

const COUNTS = ['issued', 'renewed', 'revoked', 'valid', 'expiring_30d'];
const DOWNLOAD_TYPES = {
  0: ['直接CSR（申請行なし）', 'direct CSR (no request row)'], 1: ['P12個別', 'P12 individual'],
  2: ['P12一括', 'P12 bulk'], 3: ['ブラウザ', 'browser'],
};
let last = null; // the last answer, redrawn in the other language

function row(dimension, label, key, counts) {
  return el('tr', { 'data-dimension': dimension }, el('td', { text: label }), el('td', { text: key }),
    ...COUNTS.map((c) => el('td', { class: 'count', 'data-count': c, text: String(counts[c]) })));
}

function render() {
  if (!last) return;
  const { institution, expiring_within_days: days } = last;
  say('stats-summary', '', () => t(`対象: ${institution ?? 'すべての機関'}（期限切れ間近 = ${days} 日以内）`,
    `Scope: ${institution ?? 'every institution'} (expiring = within ${days} days)`));
  const body = document.querySelector('#stats-table tbody');
  body.replaceChildren(row('total', t('合計', 'Total'), '', last.total),
    ...last.by_month.map((m) => row('month', t('発行月', 'Month'), m.month, m)),
    ...last.by_profile.map((p) => row('profile', t('プロファイル', 'Profile'), String(p.profile), p)),
    ...last.by_download_type.map((d) => row('download_type', t('ダウンロード種別', 'Download type'),
      `${d.download_type} ${t(...(DOWNLOAD_TYPES[d.download_type] || ['', '']))}`.trim(), d)));
}

async function statistics(ev) {
  ev.preventDefault();
  const form = ev.target;
  const format = document.getElementById('stats-format').value;
  if (format === 'csv') {
    location.assign(`${form.getAttribute('action')}?format=csv`);
    return;
  }
  try {
    last = await getJson(`${form.getAttribute('action')}?format=json`);
    render();
  } catch (err) {
    last = null;
    document.querySelector('#stats-table tbody').replaceChildren();
    say('stats-summary', 'error', () => problemText(err));
  }
  show(document.getElementById('stats-result'), true);
}

export function setupStatistics() {
  document.getElementById('stats-form').addEventListener('submit', statistics);
  document.addEventListener('inkan-language', render);
}
