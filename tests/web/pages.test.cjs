// The web pages in a real browser (issue 11): Debian's chromium driven by
// playwright-core against a real `inkan serve` (its own state folder, kernel-
// chosen ports, mail transport none so the upload answer carries the URLs).
// Run by CTest (tests/CMakeLists.txt: web_pages_browser) with
//   INKAN_BINARY   the inkan binary
//   INKAN_WEB_OUT  where the screenshots go (the build folder)
//   NODE_PATH      build/web/node_modules (playwright-core, axe-core)
// Every check is an assertion; the first failure ends the run with exit 1.
'use strict';
const assert = require('node:assert/strict');
const { spawn, execFileSync, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const https = require('node:https');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');
const axeSource = require('axe-core').source;

const INKAN = process.env.INKAN_BINARY;
const OUT = process.env.INKAN_WEB_OUT || fs.mkdtempSync(path.join(os.tmpdir(), 'inkan-web-out-'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ORG = 'Inkan Demo University';
const DN_TAIL = `O=${ORG},L=Chiyoda-ku,ST=Tokyo,C=JP`;
const COMPLETED = 'ファイルのアップロード処理が完了しました。';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'inkan-web-'));
const state = path.join(work, 'state');
fs.mkdirSync(OUT, { recursive: true });
fs.rmSync(path.join(OUT, 'failure.png'), { force: true });
let server;
let context;

function log(...args) {
  console.log('[web]', ...args);
}

const OPERATOR_KEY = path.join(work, 'ra-operator.key');

function inkan(args, env = {}) {
  return spawnSync(INKAN, ['--state-dir', state, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
}

// `inkan serve` on ports the kernel picks; resolves with them once it listens.
function serve() {
  return new Promise((resolve, reject) => {
    const child = spawn(INKAN, ['--state-dir', state, 'serve'], {
      env: { ...process.env, INKAN_OPERATOR_PORT: '0', INKAN_PUBLIC_PORT: '0', INKAN_CRL_PORT: '0', INKAN_MAIL_TRANSPORT: 'none', INKAN_FRONT: 'none' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const ports = {};
    let text = '';
    const onData = (chunk) => {
      text += chunk;
      for (const line of text.split('\n')) {
        const m = /:(\d+) /.exec(line);
        if (!m) continue;
        if (line.includes('operator API')) ports.operator = Number(m[1]);
        else if (line.includes('public ')) ports.public = Number(m[1]);
      }
      if (ports.operator && ports.public && !ports.done) {
        ports.done = true;
        resolve({ child, ports });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => process.stderr.write(d));
    child.on('exit', (code) => reject(new Error(`inkan serve exited ${code}: ${text}`)));
    setTimeout(() => reject(new Error(`inkan serve did not start: ${text}`)), 60000);
  });
}

// A plain HTTPS request from Node (a mail scanner, curl, another site).
function request(port, method, urlPath, { headers = {}, body, cert } = {}) {
  return new Promise((resolve, reject) => {
    // A Content-Length as browsers send it (the appliance refuses chunked bodies: 411).
    const sized = body ? { 'Content-Length': Buffer.byteLength(body), ...headers } : headers;
    const req = https.request({
      // No TLS session reuse: the operator listener refuses a resumed session
      // (OpenSSL with client verification and no session id context: alert 80).
      agent: false,
      host: '127.0.0.1', port, method, path: urlPath, headers: sized,
      ca: fs.readFileSync(path.join(state, 'ca.pem')),
      cert: cert ? fs.readFileSync(path.join(state, 'operators/ra-operator.pem')) : undefined,
      key: cert ? fs.readFileSync(OPERATOR_KEY) : undefined,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

function sh(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', ...opts });
}

const pathOf = (url) => new URL(url).pathname;

// Issue rows (CRLF): browser (3), P12 individual (1) or bulk (2) download.
function issueRow(cn, downloadType, profile = 5, userName = 'User Hanako') {
  return [`CN=${cn},${DN_TAIL}`, String(profile), String(downloadType), '', '', '', '', 'Admin Taro', '',
    'admin@example.ac.jp', userName, '', '', `user-${cn.split('.')[0]}@example.ac.jp`, ''].join('\t') + '\r\n';
}

// The page's language button, as a reader presses it.
async function setLanguage(page, l) {
  await page.evaluate((x) => {
    localStorage.setItem('inkan-lang', x === 'en' ? 'ja' : 'en');
    document.getElementById('lang').click();
  }, l);
}

// <name>-ja.png and <name>-en.png; the page is left in Japanese.
async function screenshot(page, name) {
  for (const l of ['en', 'ja']) {
    await setLanguage(page, l);
    assert.equal(await page.getAttribute('html', 'lang'), l);
    await page.screenshot({ path: path.join(OUT, `${name}-${l}.png`), fullPage: true });
  }
}

// axe-core, evaluated by the driver (the page's CSP forbids inline script):
// every form control has a label, every button a name.
async function labelled(page, name) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'rule', values: ['label', 'select-name', 'button-name', 'input-button-name', 'html-has-lang', 'document-title'] },
  }));
  assert.deepEqual(result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`), [], `${name}: unlabelled controls`);
}

function checkHeaders(response, name) {
  const h = response.headers();
  assert.match(h['content-security-policy'] || '', /frame-ancestors 'none'/, `${name}: CSP`);
  assert.doesNotMatch(h['content-security-policy'], /unsafe-inline/, `${name}: CSP allows inline`);
  assert.equal(h['referrer-policy'], 'no-referrer', `${name}: Referrer-Policy`);
  assert.equal(h['x-content-type-options'], 'nosniff', `${name}: nosniff`);
}

async function main() {
  assert.ok(INKAN, 'INKAN_BINARY must name the inkan binary');
  // The operator's credential is handed over once as a P12 (no clear key in the state
  // folder); the test takes the key out into its own folder, as an operator would.
  const handover = path.join(work, 'handover');
  const init = inkan(['init', '--handover', handover], {});
  assert.equal(init.status, 0, init.stdout + init.stderr);
  sh('openssl', ['pkcs12', '-in', path.join(handover, 'ra-operator.p12'), '-nocerts', '-nodes',
    '-passin', `file:${path.join(handover, 'ra-operator.p12-password')}`, '-out', OPERATOR_KEY]);
  const started = await serve();
  server = started.child;
  const { operator: OP, public: PUB } = started.ports;
  const opUrl = `https://127.0.0.1:${OP}`;
  const pubUrl = `https://127.0.0.1:${PUB}`;
  log('serving', opUrl, pubUrl, 'screenshots in', OUT);

  context = await chromium.launchPersistentContext(path.join(work, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    acceptDownloads: true,
    // The console's "copy serial" buttons write the clipboard; the test reads it back.
    permissions: ['clipboard-read', 'clipboard-write'],
    // The appliance's own CA signed its HTTPS certificate; the client certificate
    // is the operator's credential from `inkan init`.
    ignoreHTTPSErrors: true,
    clientCertificates: [{
      origin: opUrl,
      certPath: path.join(state, 'operators/ra-operator.pem'),
      keyPath: OPERATOR_KEY,
    }],
  });
  const page = context.pages()[0] || await context.newPage();
  const cspErrors = [];
  // Script errors and CSP violations; an API's 4xx answer (a PIN shown already)
  // is logged by Chromium as a failed resource and is expected.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) cspErrors.push(m.text());
  });
  page.on('pageerror', (e) => cspErrors.push(String(e)));

  // ---- RA operator console: abort mode with one bad row stores nothing ----
  let res = await page.goto(`${opUrl}/`);
  assert.equal(res.status(), 200);
  checkHeaders(res, 'console');
  await page.waitForSelector('#batches');
  await screenshot(page, 'console');
  await labelled(page, 'console');
  const bad = issueRow('browser1.example.ac.jp', 3) + issueRow('bad_name!.example.ac.jp', 3);
  await page.check('input[name=action][value=issue]');
  await page.check('input[name=on_error][value=abort]');
  await page.setInputFiles('#file', { name: 'requests.tsv', mimeType: 'text/tab-separated-values', buffer: Buffer.from(bad) });
  await page.click('#check');
  await page.waitForSelector('#result-message.error');
  const errorRows = await page.$$eval('#error-table tbody tr', (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  assert.ok(errorRows.length >= 1, 'the error table lists the bad row');
  assert.equal(errorRows[0][0], '2', 'the error names line 2');
  assert.match(errorRows[0][1], /^1 /, 'the error names column 1 (DN)');
  await page.screenshot({ path: path.join(OUT, 'console-abort-errors-ja.png'), fullPage: true });
  const listed = JSON.parse((await request(OP, 'GET', '/api/v1/requests', { cert: true })).body);
  assert.equal(listed.batches.length, 0, 'abort mode with an error stores nothing');

  // ---- skip mode: the review dialog, then the manual's completion message ----
  await page.check('input[name=on_error][value=skip]');
  await page.setInputFiles('#file', { name: 'requests.tsv', mimeType: 'text/tab-separated-values', buffer: Buffer.from(bad) });
  await page.click('#check');
  await page.waitForSelector('#review[open]');
  const reviewRows = await page.$$eval('#review-table tbody tr', (rows) => rows.map((r) => r.cells[1].textContent));
  assert.deepEqual(reviewRows, [`CN=browser1.example.ac.jp,${DN_TAIL}`], 'the review lists the valid row only');
  await page.screenshot({ path: path.join(OUT, 'console-review-ja.png'), fullPage: true });
  assert.equal(JSON.parse((await request(OP, 'GET', '/api/v1/requests', { cert: true })).body).batches.length, 0,
    'nothing is stored before "register"');
  await page.click('#register');
  await page.waitForSelector('#result-message.message');
  assert.equal(await page.textContent('#result-message'), COMPLETED);
  await page.screenshot({ path: path.join(OUT, 'console-completed-ja.png'), fullPage: true });
  const browserUrls = await page.$$eval('#urls tbody tr', (rows) => rows.map((r) => [r.cells[2].textContent, r.cells[3].textContent]));
  assert.equal(browserUrls.length, 1);
  const [browserPinUrl, browserRetrievalUrl] = browserUrls[0];
  await page.waitForFunction(() => document.querySelectorAll('#batches tbody tr').length === 1);

  // A bulk batch (two rows, Japanese names) and a P12-individual one, abort mode, both valid.
  const uploaded = {};
  const files = {
    bulk: issueRow('bulk1.example.ac.jp', 2, 5, '利用 花子') + issueRow('bulk2.example.ac.jp', 2, 5, '利用 次郎'),
    p12: issueRow('p12.example.ac.jp', 1),
  };
  for (const [name, file] of Object.entries(files)) {
    await page.check('input[name=on_error][value=abort]');
    await page.setInputFiles('#file', { name: 'requests.tsv', mimeType: 'text/tab-separated-values', buffer: Buffer.from(file) });
    await page.click('#check');
    await page.waitForSelector('#review[open]');
    // The URL table of the previous upload is still on the page until this one
    // answers: wait until it shows another PIN URL (not merely that it exists).
    const before = await page.$$eval('#urls tbody tr', (rows) => rows.map((r) => r.cells[2].textContent).join());
    await page.click('#register');
    await page.waitForFunction((prev) => {
      const rows = [...document.querySelectorAll('#urls tbody tr')];
      return rows.length > 0 && rows.map((r) => r.cells[2].textContent).join() !== prev;
    }, before);
    uploaded[name] = await page.$$eval('#urls tbody tr', (rows) => rows.map((r) => [r.cells[2].textContent, r.cells[3].textContent]));
    assert.equal(uploaded[name].length, 1, `${name}: one PIN URL`);
  }
  await page.waitForFunction(() => document.querySelectorAll('#batches tbody tr').length === 3);
  await page.click('#batches tbody tr:first-child button');
  await page.waitForSelector('#rows tbody tr');
  await page.screenshot({ path: path.join(OUT, 'console-history-ja.png'), fullPage: true });

  // A cross-site POST is refused (the browser sends the operator's certificate by itself).
  const cross = await request(OP, 'POST', '/api/v1/requests?action=issue', {
    cert: true, body: issueRow('csrf.example.ac.jp', 1), headers: { Origin: 'https://evil.example', 'Content-Type': 'text/plain' },
  });
  assert.equal(cross.status, 403);
  assert.equal(JSON.parse(cross.body).code, 'cross_site_request');
  assert.equal(JSON.parse((await request(OP, 'GET', '/api/v1/requests', { cert: true })).body).batches.length, 3);

  // ---- PIN page: a plain GET consumes nothing; the PINs once after confirmation ----
  const scanner = await request(PUB, 'GET', pathOf(browserPinUrl));
  assert.equal(scanner.status, 200);
  assert.match(scanner.headers['content-type'], /text\/html/);
  const curl = spawnSync('curl', ['-sk', '--noproxy', '*', '-o', '/dev/null', '-w', '%{http_code}', `${pubUrl}${pathOf(browserPinUrl)}`], { encoding: 'utf8' });
  assert.equal(curl.stdout, '200', 'curl GET of the PIN URL');
  res = await page.goto(browserPinUrl);
  checkHeaders(res, 'pin page');
  await page.waitForSelector('#confirm:not([hidden])');
  await screenshot(page, 'pin-confirm');
  await labelled(page, 'pin page');
  await page.click('#reveal');
  await page.waitForSelector('#pins:not([hidden])');
  const browserPin = (await page.textContent('#pin-table tbody td.pin')).trim();
  assert.match(browserPin, /^\S{8,}$/);
  await screenshot(page, 'pin-shown');
  await page.goto(browserPinUrl);
  await page.waitForSelector('#gone:not([hidden])');
  assert.match(await page.textContent('#gone-text'), /一度だけ/);
  await screenshot(page, 'pin-gone');

  // Bulk: every PIN, and the TSV in Shift_JIS.
  await page.goto(uploaded.bulk[0][0]);
  await page.click('#reveal');
  await page.waitForSelector('#pins:not([hidden])');
  assert.equal((await page.$$('#pin-table tbody tr')).length, 2);
  await screenshot(page, 'pin-bulk');
  const [sjisDownload] = await Promise.all([page.waitForEvent('download'), page.click('#tsv-sjis')]);
  const sjisFile = path.join(work, 'pins-sjis.tsv');
  await sjisDownload.saveAs(sjisFile);
  const sjisText = sh('iconv', ['-f', 'CP932', '-t', 'UTF-8', sjisFile]);
  assert.match(sjisText, /^name\tmail\tPIN\tDN\r\n/);
  assert.match(sjisText, /利用 花子/);
  assert.notDeepEqual(fs.readFileSync(sjisFile), Buffer.from(sjisText), 'the file is Shift_JIS, not UTF-8');

  // ---- retrieval pages ----
  // P12 bulk ZIP (the PINs were shown).
  res = await page.goto(uploaded.bulk[0][1]);
  checkHeaders(res, 'zip page');
  await screenshot(page, 'retrieve-zip');
  await labelled(page, 'zip page');
  const [zipDownload] = await Promise.all([page.waitForEvent('download'), page.click('#zip-form button[type=submit]')]);
  const zipFile = path.join(work, 'bulk.zip');
  await zipDownload.saveAs(zipFile);
  assert.equal(fs.readFileSync(zipFile).subarray(0, 2).toString(), 'PK');
  assert.match(sh('unzip', ['-l', zipFile]), /client\.txt/);

  // P12 individual with the user's own password.
  await page.goto(uploaded.p12[0][0]);
  await page.click('#reveal');
  await page.waitForSelector('#pins:not([hidden])');
  const p12Pin = (await page.textContent('#pin-table tbody td.pin')).trim();
  res = await page.goto(uploaded.p12[0][1]);
  await screenshot(page, 'retrieve-p12');
  await labelled(page, 'p12 page');
  await page.fill('#p12-pin', p12Pin);
  await page.fill('#p12-password', 'own-password-1');
  const [p12Download] = await Promise.all([page.waitForEvent('download'), page.click('#p12-form button[type=submit]')]);
  const p12File = path.join(work, 'individual.p12');
  await p12Download.saveAs(p12File);
  sh('openssl', ['pkcs12', '-in', p12File, '-passin', 'pass:own-password-1', '-nokeys', '-out', path.join(work, 'individual.pem')]);
  assert.match(sh('openssl', ['x509', '-in', path.join(work, 'individual.pem'), '-noout', '-subject']), /p12\.example\.ac\.jp/);

  // Browser issuance: key and PKCS#10 in the page, PKCS#12 built in the page.
  for (const keyType of ['P-256', 'RSA-2048']) {
    if (keyType === 'RSA-2048') {
      // A second browser row for the RSA key.
      await page.goto(`${opUrl}/`);
      await page.check('input[name=on_error][value=abort]');
      await page.setInputFiles('#file', { name: 'r.tsv', mimeType: 'text/tab-separated-values', buffer: Buffer.from(issueRow('browser-rsa.example.ac.jp', 3)) });
      await page.click('#check');
      await page.waitForSelector('#review[open]');
      await page.click('#register');
      await page.waitForSelector('#urls');
      const [pinUrl, retrievalUrl] = await page.$eval('#urls tbody tr', (r) => [r.cells[2].textContent, r.cells[3].textContent]);
      await page.goto(pinUrl);
      await page.click('#reveal');
      await page.waitForSelector('#pins:not([hidden])');
      await issueInBrowser(page, retrievalUrl, (await page.textContent('#pin-table tbody td.pin')).trim(), keyType);
    } else {
      await issueInBrowser(page, browserRetrievalUrl, browserPin, keyType);
    }
  }

  await consoleCertificates(page, opUrl, OP);

  // ---- request-file builder: its file passes `inkan request check` ----
  res = await page.goto(`${pubUrl}/builder`);
  checkHeaders(res, 'builder');
  await page.fill('#o', ORG);
  await page.fill('#l', 'Chiyoda-ku');
  await page.fill('#st', 'Tokyo');
  await page.selectOption('#download-type', '1');
  await page.fill('#r1-cn', 'built1.example.ac.jp');
  await page.fill('#r1-adminName', '管理 太郎');
  await page.fill('#r1-adminMail', 'admin@example.ac.jp');
  await page.fill('#r1-userName', '利用 花子');
  await page.fill('#r1-userMail', 'user1@example.ac.jp');
  await page.click('#add-row');
  await page.fill('#r2-cn', 'bad name_!');
  await page.waitForSelector('#findings-table');
  await screenshot(page, 'builder-errors');
  await labelled(page, 'builder');
  await page.fill('#r2-cn', 'built2.example.ac.jp');
  await page.fill('#r2-adminName', 'Admin Jiro');
  await page.fill('#r2-adminMail', 'admin@example.ac.jp');
  await page.fill('#r2-userMail', 'user2@example.ac.jp');
  await page.waitForSelector('#findings-ok');
  await page.click('#server-check');
  await page.waitForSelector('#server-unavailable');
  await screenshot(page, 'builder');
  const [built] = await Promise.all([page.waitForEvent('download'), page.click('#save')]);
  const builtFile = path.join(work, 'built.tsv');
  await built.saveAs(builtFile);
  const bytes = fs.readFileSync(builtFile);
  assert.equal(bytes.toString('latin1').split('\r\n').length, 3, 'two CRLF lines');
  assert.match(sh('iconv', ['-f', 'CP932', '-t', 'UTF-8', builtFile]), /管理 太郎/);
  const check = inkan(['request', 'check', builtFile, '--action', 'issue', '--institution', ORG]);
  assert.equal(check.status, 0, `inkan request check: ${check.stdout}${check.stderr}`);
  // From the operator listener the builder also asks the server's check.
  await page.goto(`${opUrl}/builder`);
  await page.fill('#o', ORG);
  await page.fill('#l', 'Chiyoda-ku');
  await page.fill('#st', 'Tokyo');
  await page.fill('#r1-cn', 'built3.example.ac.jp');
  await page.fill('#r1-adminName', 'Admin');
  await page.fill('#r1-adminMail', 'admin@example.ac.jp');
  await page.fill('#r1-userMail', 'user3@example.ac.jp');
  await page.click('#server-check');
  await page.waitForSelector('#server-ok');

  const start = await page.goto(`${pubUrl}/`);
  checkHeaders(start, 'start page');
  await page.screenshot({ path: path.join(OUT, 'start.png'), fullPage: true });
  assert.deepEqual(cspErrors, [], 'no script errors or CSP violations in any page');
  log('all checks passed');
}

// Clicks `button` and waits until the page has written `output` again.
async function submitAndWait(page, button, output) {
  await page.$eval(output, (e) => { e.textContent = ''; });
  await page.click(button);
  await page.waitForFunction((s) => document.querySelector(s).textContent !== '', output);
}

const tableOf = (page, selector) => page.$$eval(`${selector} tbody tr`, (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));

// The entries of a ZIP and the text of its certificates.tsv, read by Python's zipfile.
function zipContents(file, encoding) {
  const script = 'import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\n'
    + 'print(json.dumps({"names": z.namelist(), "tsv": z.read("certificates.tsv").decode(sys.argv[2])}))';
  return JSON.parse(sh('/usr/bin/python3', ['-c', script, file, encoding]));
}

// The console's certificate search, export and statistics over the certificates
// the flow above issued; every figure is compared with the API's own answer.
async function consoleCertificates(page, opUrl, OP) {
  const api = async (p) => JSON.parse((await request(OP, 'GET', p, { cert: true })).body);
  const all = await api('/api/v1/certificates');
  assert.ok(all.total >= 3, `certificates issued above: ${all.total}`);
  const p12Cert = all.certificates.find((c) => c.subject === `CN=p12.example.ac.jp,${DN_TAIL}`);
  assert.ok(p12Cert, 'the P12 individual row has its certificate');
  await page.goto(`${opUrl}/`);
  await page.waitForSelector('#search-form #search-serial');

  // By a second filter (the subscriber mail): the one certificate, its serial in decimal.
  await page.fill('#search-mail', 'user-p12@example.ac.jp');
  await submitAndWait(page, '#search-submit', '#search-summary');
  let rows = await tableOf(page, '#certificates');
  assert.equal(rows.length, 1, 'the mail finds one certificate');
  assert.equal(await page.textContent('#certificates tbody code.serial'), p12Cert.serial);
  assert.equal(rows[0][1], p12Cert.subject);
  assert.equal(rows[0][2], '有効');
  assert.equal(rows[0][4], 'user-p12@example.ac.jp');
  // Its copy button puts the serial on the clipboard (for a renewal or revocation file).
  await page.click('#certificates tbody button.copy');
  await page.waitForFunction(() => document.getElementById('copy-status').textContent !== '');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), p12Cert.serial);

  // By serial, decimal and hex.
  await page.fill('#search-mail', '');
  for (const serial of [p12Cert.serial, `0x${p12Cert.serial_hex}`]) {
    await page.fill('#search-serial', serial);
    await submitAndWait(page, '#search-submit', '#search-summary');
    rows = await tableOf(page, '#certificates');
    assert.deepEqual(rows.map((r) => r[1]), [p12Cert.subject], `serial ${serial} finds the certificate`);
  }
  // No match: said so, nothing listed.
  await page.fill('#search-serial', '');
  await page.selectOption('#search-status', 'revoked');
  await submitAndWait(page, '#search-submit', '#search-summary');
  assert.equal((await tableOf(page, '#certificates')).length, 0);
  assert.match(await page.textContent('#search-summary'), /ありません/);

  // Pages of 2, as the API pages them.
  await page.selectOption('#search-status', '');
  await page.fill('#search-limit', '2');
  await submitAndWait(page, '#search-submit', '#search-summary');
  assert.equal(await page.isDisabled('#search-prev'), true);
  await submitAndWait(page, '#search-next', '#search-summary');
  const second = await api('/api/v1/certificates?limit=2&offset=2');
  assert.deepEqual((await tableOf(page, '#certificates')).map((r) => r[1]), second.certificates.map((c) => c.subject));
  assert.equal(await page.textContent('#search-summary'), `${all.total} 件中 3–${2 + second.certificates.length} 件目`);
  assert.equal(await page.isDisabled('#search-prev'), false);
  assert.equal(await page.isDisabled('#search-next'), second.next_offset === null);

  // Export: the ZIP the browser saves holds the TSV of the filtered certificates.
  await page.fill('#export-mail', 'user-p12@example.ac.jp');
  await page.selectOption('#export-encoding', 'utf-8');
  let [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-submit')]);
  const oneZip = path.join(work, 'export-one.zip');
  await download.saveAs(oneZip);
  let zip = zipContents(oneZip, 'utf-8');
  let lines = zip.tsv.split('\r\n').filter((l) => l !== '');
  assert.equal(lines.length, 2, 'header and the one certificate');
  assert.equal(lines[0].split('\t')[23], 'シリアル番号');
  assert.equal(lines[1].split('\t')[23], p12Cert.serial);
  assert.ok(zip.names.includes(`certs/${p12Cert.serial}.pem`));
  // Without filters, Shift_JIS: every certificate.
  await page.fill('#export-mail', '');
  await page.selectOption('#export-encoding', 'shift_jis');
  [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-submit')]);
  const allZip = path.join(work, 'export-all.zip');
  await download.saveAs(allZip);
  zip = zipContents(allZip, 'cp932');
  lines = zip.tsv.split('\r\n').filter((l) => l !== '');
  assert.equal(lines.length, all.total + 1);
  assert.deepEqual(lines.slice(1).map((l) => l.split('\t')[23]).sort(), all.certificates.map((c) => c.serial).sort());
  assert.match(await page.textContent('#export-status-text'), new RegExp(`${all.total} 件`));

  // Statistics: the table shows the API's counts.
  const stats = await api('/api/v1/statistics');
  assert.ok(stats.total.issued >= 1);
  await page.selectOption('#stats-format', 'json');
  await submitAndWait(page, '#stats-submit', '#stats-summary');
  const total = await page.$$eval('#stats-table tr[data-dimension=total] td[data-count]',
    (cells) => Object.fromEntries(cells.map((c) => [c.dataset.count, Number(c.textContent)])));
  assert.deepEqual(total, stats.total, 'the total row is the API\'s');
  assert.equal((await page.$$('#stats-table tr[data-dimension=month]')).length, stats.by_month.length);
  await page.selectOption('#stats-format', 'csv');
  [download] = await Promise.all([page.waitForEvent('download'), page.click('#stats-submit')]);
  const csv = fs.readFileSync(await download.path(), 'utf8');
  assert.match(csv, /^dimension,key,issued,renewed,revoked,valid,expiring_30d\r\n/);
  assert.match(csv, new RegExp(`\r\ntotal,,${stats.total.issued},`));

  // The search again (the first page) for the screenshots; the tables follow the language.
  await page.fill('#search-limit', '100');
  await submitAndWait(page, '#search-submit', '#search-summary');
  await labelled(page, 'console with search results and statistics');
  await screenshot(page, 'console-certificates');
  await setLanguage(page, 'en');
  assert.equal((await tableOf(page, '#certificates'))[0][2].startsWith('valid'), true, 'the search table in English');
  assert.equal(await page.textContent('#stats-table tr[data-dimension=total] td'), 'Total');
  assert.match(await page.textContent('#export-status-text'), new RegExp(`ZIP file of ${all.total} certificate`));
  assert.match(await page.textContent('#search-summary'), new RegExp(`^1–${Math.min(all.total, 100)} of ${all.total}$`));
  await setLanguage(page, 'ja');
}

async function issueInBrowser(page, retrievalUrl, pin, keyType) {
  const res = await page.goto(retrievalUrl);
  checkHeaders(res, 'browser issuance page');
  if (keyType === 'P-256') {
    await screenshot(page, 'retrieve-browser');
    await labelled(page, 'browser issuance page');
  }
  await page.fill('#browser-pin', pin);
  await page.selectOption('#key-type', keyType);
  await page.fill('#pfx-password', 'pfx-password-1');
  await page.click('#issue');
  await page.waitForSelector('#browser-result:not([hidden])', { timeout: 60000 });
  if (keyType === 'P-256') await screenshot(page, 'retrieve-browser-issued');
  const fingerprint = (await page.textContent('#spki-sha256')).trim();
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-p12')]);
  const p12 = path.join(work, `browser-${keyType}.p12`);
  await download.saveAs(p12);
  // OpenSSL opens it (key and certificate)...
  const certPem = path.join(work, `browser-${keyType}.pem`);
  sh('openssl', ['pkcs12', '-in', p12, '-passin', 'pass:pfx-password-1', '-nokeys', '-out', certPem]);
  const keyPem = sh('openssl', ['pkcs12', '-in', p12, '-passin', 'pass:pfx-password-1', '-nocerts', '-noenc']);
  assert.match(keyPem, /PRIVATE KEY/);
  // ... the certificate's public key is the page's ...
  const cert = new crypto.X509Certificate(fs.readFileSync(certPem));
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  assert.equal(crypto.createHash('sha256').update(spki).digest('hex'), fingerprint, `${keyType}: the certificate holds the page's key`);
  assert.equal(cert.publicKey.asymmetricKeyType, keyType === 'P-256' ? 'ec' : 'rsa');
  // ... and matches the private key in the file, signed by the appliance's CA.
  const priv = crypto.createPrivateKey(keyPem);
  assert.ok(cert.checkPrivateKey(priv), `${keyType}: key and certificate belong together`);
  assert.ok(cert.verify(new crypto.X509Certificate(fs.readFileSync(path.join(state, 'ca.pem'))).publicKey));
  // NSS pk12util imports it.
  const nss = path.join(work, `nss-${keyType}`);
  fs.mkdirSync(nss);
  sh('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password']);
  sh('pk12util', ['-i', p12, '-d', `sql:${nss}`, '-W', 'pfx-password-1']);
  assert.match(sh('certutil', ['-L', '-d', `sql:${nss}`]), /u,u,u/);
}

main().then(async () => {
  await context.close();
  server.kill('SIGTERM');
  fs.rmSync(work, { recursive: true, force: true });
  process.exit(0);
}, async (err) => {
  console.error('[web] FAILED:', err);
  try {
    const pages = context ? context.pages() : [];
    if (pages[0]) await pages[0].screenshot({ path: path.join(OUT, 'failure.png'), fullPage: true });
    if (context) await context.close();
  } catch (e) { /* the failure above is what counts */ }
  if (server) server.kill('SIGTERM');
  process.exit(1);
});
