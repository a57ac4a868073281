// Shared by every page: language (Japanese first, English switch), the JSON
// API's problems shown in the chosen language, downloads of bytes the page holds.

const LANG_KEY = 'inkan-lang';
let english = {};   // key -> English text, given by each page
const japanese = {}; // key -> the page's own Japanese text, kept for switching back

export function lang() {
  try {
    return localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'ja';
  } catch (e) {
    return 'ja';
  }
}

// The text of the current language.
export function t(ja, en) {
  return lang() === 'en' ? en : ja;
}

function applyLanguage() {
  const l = lang();
  document.documentElement.lang = l;
  for (const el of document.querySelectorAll('[data-i18n]')) {
    const key = el.dataset.i18n;
    if (!(key in japanese)) japanese[key] = el.textContent;
    el.textContent = l === 'en' && english[key] ? english[key] : japanese[key];
  }
  for (const el of document.querySelectorAll('[data-i18n-placeholder]')) {
    const key = el.dataset.i18nPlaceholder;
    if (!(key in japanese)) japanese[key] = el.placeholder;
    el.placeholder = l === 'en' && english[key] ? english[key] : japanese[key];
  }
  const button = document.getElementById('lang');
  if (button) button.textContent = l === 'en' ? '日本語' : 'English';
  for (const [id, [kind, text]] of said) say(id, kind, text);
  document.dispatchEvent(new CustomEvent('inkan-language'));
}

const said = new Map(); // element id -> [class, text()]

// A message (class `kind`) in the element `id`, said again when the reader
// switches the language: `text` is a function that calls t().
export function say(id, kind, text) {
  said.set(id, [kind, text]);
  const e = document.getElementById(id);
  e.className = kind;
  e.textContent = text();
}

// Call once per page with its English texts.
export function setupPage(englishTexts) {
  english = englishTexts;
  const button = document.getElementById('lang');
  if (button) {
    button.addEventListener('click', () => {
      try {
        localStorage.setItem(LANG_KEY, lang() === 'en' ? 'ja' : 'en');
      } catch (e) { /* private mode: this page only */ }
      applyLanguage();
    });
  }
  applyLanguage();
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.message || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

// The problem of an answer in the reader's language (the API's message is English).
export function problemText(err) {
  if (!(err instanceof ApiError)) return String(err && err.message ? err.message : err);
  const p = err.problem || {};
  const known = PROBLEMS[p.code];
  const text = known ? t(known[0], known[1]) : p.message || `HTTP ${err.status}`;
  return p.code ? `${text} (${p.code})` : text;
}

const PROBLEMS = {
  pin_url_used: ['このURLのアクセスPINはすでに表示されました。PINは一度だけ表示されます。',
    'The PINs of this URL were shown already; they are shown only once.'],
  pin_url_expired: ['このURLの有効期限が切れています。RA担当者に再送を依頼してください。',
    'This URL has expired; ask the RA operator to re-send it.'],
  url_not_found: ['URLが正しくありません。メールのURLをそのまま開いてください。',
    'Unknown URL; open the URL of the mail as it is.'],
  url_expired: ['この証明書取得URLの有効期限が切れています。', 'This certificate retrieval URL has expired.'],
  pin_incorrect: ['アクセスPINが正しくありません。', 'The access PIN is wrong.'],
  row_locked: ['PINの誤りが多すぎるためロックされました。RA担当者に連絡してください。',
    'Too many wrong PINs: locked. Ask the RA operator.'],
  already_downloaded: ['この証明書はすでにダウンロードされています。', 'This certificate was downloaded already.'],
  cross_site_request: ['他のサイトからの送信は受け付けません。', 'Requests from other sites are refused.'],
};

async function answer(res) {
  const type = res.headers.get('content-type') || '';
  if (!res.ok) {
    let problem = {};
    if (type.includes('json')) problem = await res.json();
    throw new ApiError(res.status, problem);
  }
  return res;
}

export async function getJson(url) {
  const res = await answer(await fetch(url, { headers: { Accept: 'application/json' } }));
  return res.json();
}

// POST a JSON body (a cross-site form cannot send this content type).
export async function postJson(url, body) {
  return answer(await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body || {}),
  }));
}

export async function postBytes(url, bytes, contentType) {
  return answer(await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': contentType, Accept: 'application/json' },
    body: bytes,
  }));
}

// The file name of a Content-Disposition answer, else `fallback`.
export function fileNameOf(res, fallback) {
  const cd = res.headers.get('content-disposition') || '';
  const m = /filename="?([^";]+)"?/.exec(cd);
  return m ? m[1] : fallback;
}

// Offers bytes held by the page as a file: a link the user (or the page) clicks.
export function offerDownload(container, bytes, type, name, label) {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.textContent = label;
  a.className = 'download';
  container.append(a);
  return a;
}

export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

// A unix time in the reader's language and time zone: date and time, or the date only.
export const when = (unix) => new Date(unix * 1000).toLocaleString(t('ja-JP', 'en-GB'));
export const day = (unix) => new Date(unix * 1000).toLocaleDateString(t('ja-JP', 'en-GB'));

export function show(element, visible) {
  element.hidden = !visible;
}

export function tokenFromPath(index) {
  return decodeURIComponent(location.pathname.split('/')[index] || '');
}
