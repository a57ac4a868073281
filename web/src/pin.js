// The PIN page (GET /pin/{token}): opening it reveals nothing. It asks the
// server whether the PINs can still be shown (GET .../status, consumes
// nothing), asks the reader to confirm, and only then POSTs to reveal them once.
import Encoding from 'encoding-japanese';
import { setupPage, t, getJson, postJson, problemText, offerDownload, el, show, tokenFromPath } from './common.js';

const token = tokenFromPath(2);
const base = `/pin/${encodeURIComponent(token)}`;

function gone(err) {
  show(document.getElementById('checking'), false);
  show(document.getElementById('confirm'), false);
  show(document.getElementById('gone'), true);
  document.getElementById('gone-text').textContent = problemText(err);
}

function shiftJis(text) {
  const codes = Encoding.convert(Encoding.stringToCode(text), { to: 'SJIS', from: 'UNICODE' });
  return new Uint8Array(codes);
}

function showPins(page) {
  show(document.getElementById('confirm'), false);
  show(document.getElementById('pins'), true);
  const body = document.querySelector('#pin-table tbody');
  for (const e of page.entries) {
    body.append(el('tr', {}, el('td', { text: e.name }), el('td', { text: e.mail }),
      el('td', { text: e.subject }), el('td', { class: 'pin', text: e.pin })));
  }
  if (page.tsv) {
    show(document.getElementById('tsv'), true);
    const links = document.getElementById('tsv-links');
    const crlf = page.tsv.replace(/\n/g, '\r\n');
    offerDownload(links, new TextEncoder().encode(crlf), 'text/tab-separated-values',
      `pins-${page.batch_id}-utf8.tsv`, t('TSV（UTF-8）を保存', 'Save TSV (UTF-8)')).id = 'tsv-utf8';
    offerDownload(links, shiftJis(crlf), 'text/tab-separated-values',
      `pins-${page.batch_id}-sjis.tsv`, t('TSV（Shift_JIS）を保存', 'Save TSV (Shift_JIS)')).id = 'tsv-sjis';
  }
}

async function start() {
  setupPage({
    title: 'Access PIN', checking: 'Checking…',
    explain: 'This shows the access PIN(s) of this URL. They are shown only once: after that, opening this URL again shows nothing. Make sure nobody is looking over your shoulder.',
    reveal: 'Show the PIN(s)',
    shown: 'The access PIN(s) are shown. Once you close this page they cannot be shown again: note them now if you need to.',
    'col-name': 'Name', 'col-mail': 'Mail', 'col-dn': 'Subject DN', 'col-pin': 'Access PIN',
    'tsv-explain': 'You can save the PIN list of the bulk issuance as a TSV file (name, mail, PIN, DN).',
  });
  try {
    const state = await getJson(`${base}/status`);
    show(document.getElementById('checking'), false);
    show(document.getElementById('confirm'), true);
    const rows = document.getElementById('rows');
    const render = () => {
      rows.textContent = t(`表示されるPINの数: ${state.rows}`, `PINs to be shown: ${state.rows}`);
    };
    render();
    document.addEventListener('inkan-language', render);
  } catch (err) {
    gone(err);
    return;
  }
  document.getElementById('reveal').addEventListener('click', async (ev) => {
    ev.target.disabled = true;
    try {
      const res = await postJson(base, {});
      showPins(await res.json());
    } catch (err) {
      gone(err);
    }
  });
}

start();
