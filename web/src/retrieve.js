// The retrieval page of a mailed URL (/download/{token}/p12|zip|certificate).
// p12: the PIN (and an optional own password) POSTed, the P12 saved.
// zip: the bulk ZIP saved. certificate: browser issuance — the key pair is
// made with WebCrypto, the PKCS#10 built and signed here (pkijs), sent with
// the PIN; the certificate that comes back and the key are put into a PKCS#12
// built here, under the user's password. The private key never leaves the page.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { buildPkcs12 } from './pkcs12.js';
import { setupPage, t, postJson, problemText, offerDownload, fileNameOf, show, tokenFromPath } from './common.js';

const token = tokenFromPath(2);
const kind = tokenFromPath(3); // p12 | zip | certificate
const endpoint = `/download/${encodeURIComponent(token)}/${kind}`;
const status = document.getElementById('status');

function say(kindOfText, text) {
  status.className = kindOfText;
  status.textContent = text;
}

async function saveAnswer(res, fallback) {
  const bytes = await res.arrayBuffer();
  const name = fileNameOf(res, fallback);
  const link = offerDownload(status, bytes, res.headers.get('content-type') || 'application/octet-stream',
    name, t(`${name} を保存`, `Save ${name}`));
  link.id = 'saved-file';
  link.click();
}

async function p12(ev) {
  ev.preventDefault();
  say('', t('作成しています…', 'Preparing…'));
  try {
    const body = { pin: document.getElementById('p12-pin').value };
    const pw = document.getElementById('p12-password').value;
    if (pw) body.password = pw;
    if (document.getElementById('p12-legacy').checked) body.legacy = true;
    const res = await postJson(endpoint, body);
    say('message', t('ダウンロードしました。', 'Downloaded.'));
    await saveAnswer(res, 'certificate.p12');
  } catch (err) {
    say('error', problemText(err));
  }
}

async function zip(ev) {
  ev.preventDefault();
  say('', t('作成しています…', 'Preparing…'));
  try {
    const body = { legacy: document.getElementById('zip-legacy').checked };
    // The ZIP is built in the background: 202 with the progress until it is ready.
    let res = await postJson(endpoint, body);
    while (res.status === 202) {
      const p = await res.json();
      const eta = p.eta_seconds !== undefined ? t(`（残り約${p.eta_seconds}秒）`, ` (about ${p.eta_seconds} s left)`) : '';
      say('', t(`作成しています… ${p.done} / ${p.total} 件`, `Preparing… ${p.done} of ${p.total}`) + eta);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      res = await postJson(endpoint, body);
    }
    say('message', t('ダウンロードしました。', 'Downloaded.'));
    await saveAnswer(res, 'certificates.zip');
  } catch (err) {
    say('error', problemText(err));
  }
}

// ---- browser issuance ----

const crypto = pkijs.getCrypto(true);

function keyAlgorithm(type) {
  if (type === 'RSA-2048') {
    return { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };
  }
  return { name: 'ECDSA', namedCurve: 'P-256' };
}

function pem(label, der) {
  const b64 = btoa(String.fromCharCode(...new Uint8Array(der)));
  return `-----BEGIN ${label}-----\n${b64.replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

function derOfPem(text) {
  const b64 = text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
}

function hex(buffer) {
  return [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

// The PKCS#10: the subject is a placeholder (the certificate's subject is the
// approved row's DN, never the request's); it proves possession of the key.
async function certificationRequest(keys, algorithm) {
  const csr = new pkijs.CertificationRequest();
  csr.subject.typesAndValues.push(new pkijs.AttributeTypeAndValue({
    type: '2.5.4.3', value: new asn1js.Utf8String({ value: 'inkan browser request' }),
  }));
  await csr.subjectPublicKeyInfo.importKey(keys.publicKey, crypto);
  await csr.sign(keys.privateKey, 'SHA-256', crypto);
  return csr.toSchema().toBER(false);
}

async function issue(ev) {
  ev.preventDefault();
  const button = document.getElementById('issue');
  const password = document.getElementById('pfx-password').value;
  if (password.length < 8) {
    say('error', t('パスワードは8文字以上にしてください。', 'The password needs at least 8 characters.'));
    return;
  }
  button.disabled = true;
  try {
    say('', t('鍵ペアを作成しています…', 'Generating the key pair…'));
    const algorithm = keyAlgorithm(document.getElementById('key-type').value);
    // Extractable: the key has to go into the PKCS#12 the user imports. It is
    // exported only into that file, under the user's password, in this page.
    const keys = await crypto.generateKey(algorithm, true, ['sign', 'verify']);
    const spki = await crypto.exportKey('spki', keys.publicKey);
    document.getElementById('spki-sha256').textContent = hex(await crypto.digest('SHA-256', spki));
    const csr = await certificationRequest(keys, algorithm);
    say('', t('証明書を発行しています…', 'Issuing the certificate…'));
    const res = await postJson(endpoint, {
      pin: document.getElementById('browser-pin').value, csr: pem('CERTIFICATE REQUEST', csr), format: 'pem',
    });
    const certPem = await res.text();
    const name = fileNameOf(res, 'certificate.pem').replace(/\.pem$/, '');
    say('', t('PKCS#12ファイルを作成しています…', 'Building the PKCS#12 file…'));
    const pfx = await buildPkcs12(crypto, keys.privateKey, derOfPem(certPem), password, `Inkan ${name}`);
    const files = document.getElementById('files');
    offerDownload(files, pfx, 'application/x-pkcs12', `${name}.p12`, t(`${name}.p12 を保存`, `Save ${name}.p12`)).id = 'save-p12';
    offerDownload(files, certPem, 'application/x-pem-file', `${name}.pem`, t(`証明書 ${name}.pem を保存`, `Save the certificate ${name}.pem`)).id = 'save-cert';
    show(document.getElementById('browser-result'), true);
    say('message', t('完了しました。', 'Done.'));
  } catch (err) {
    button.disabled = false;
    say('error', problemText(err));
  }
}

setupPage({
  title: 'Get your certificate', 'p12-title': 'Download the certificate (PKCS#12 file)', pin: 'Access PIN',
  'p12-password': 'Password of the PKCS#12 file (optional; empty: the access PIN)',
  legacy: 'Make it in the old format',
  'legacy-explain': 'Only if an old Windows (before Windows Server 2016 / early Windows 10) or an old macOS cannot import the file. The old format uses weak cryptography (3DES, SHA-1).',
  download: 'Download', 'zip-title': 'Download the certificates of a bulk issuance (ZIP file)',
  'zip-explain': 'The ZIP file holds one PKCS#12 file per user (each under its access PIN) and a list (client.txt). The access PINs must have been shown first.',
  'browser-title': 'Certificate issuance in the browser',
  'browser-explain': 'The key pair is made inside this browser; the private key is never sent to the server. When the certificate arrives, save the key and certificate as a PKCS#12 file and import it into your OS or browser.',
  'key-type': 'Key type', 'key-ec': 'Elliptic curve P-256 (recommended)', 'key-rsa': 'RSA 2048 bits',
  'pfx-password': 'Password of the PKCS#12 file (8 characters or more)', issue: 'Make the key and issue the certificate',
  issued: 'The certificate is issued. Save the PKCS#12 file and import it into your OS or browser.',
  spki: 'SHA-256 fingerprint of the public key:',
});
const section = { p12: 'p12', zip: 'zip', certificate: 'browser' }[kind];
if (!section) {
  say('error', t('URLが正しくありません。', 'Unknown URL.'));
} else {
  show(document.getElementById(section), true);
  document.getElementById('p12-form').addEventListener('submit', p12);
  document.getElementById('zip-form').addEventListener('submit', zip);
  document.getElementById('browser-form').addEventListener('submit', issue);
}
