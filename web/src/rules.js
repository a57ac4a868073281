// The request-file rules a page can check on its own (policy/subject_dn.h,
// policy/request_rows.h): the shape of an issue row. Institution approvals,
// WHOIS, duplicate DNs and enabled profiles need the server: the RA operator's
// check (POST /api/v1/requests/check) and upload are the authority.

const DN_CHAR = /^[A-Za-z0-9 '(),\-./:=]*$/;
const CN_CHAR = /^[A-Za-z0-9 '(),\-./:=@_]*$/;
const MAIL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$/;
export const PROFILES = [5, 7, 13, 14, 15, 16];
export const SMIME = new Set([7, 15, 16]);

// The DN of a row: CN=..,OU=..,O=..,L=..,ST=..,C=JP
export function subjectDn(r) {
  const parts = [`CN=${r.cn}`];
  for (const ou of r.ou.split(/\s*;\s*/).filter(Boolean)) parts.push(`OU=${ou}`);
  parts.push(`O=${r.o}`);
  if (r.l) parts.push(`L=${r.l}`);
  if (r.st) parts.push(`ST=${r.st}`);
  parts.push('C=JP');
  return parts.join(',');
}

// Findings of one row: [{column, ja, en}]
export function checkRow(r, downloadType) {
  const out = [];
  const add = (column, ja, en) => out.push({ column, ja, en });
  const value = (v, name, cn) => {
    if (!v) return [`${name} がありません`, `${name} is missing`];
    if (v.length > 64) return [`${name} が64文字を超えています`, `${name} is longer than 64 characters`];
    if (!(cn ? CN_CHAR : DN_CHAR).test(v)) return [`${name} に使えない文字があります`, `${name} has a character that is not allowed`];
    return null;
  };
  const dnErrors = [value(r.cn, 'CN', true), value(r.o, 'O')];
  for (const ou of r.ou.split(/\s*;\s*/).filter(Boolean)) dnErrors.push(value(ou, 'OU'));
  if (!r.l && !r.st) dnErrors.push(['L と ST のどちらかが必要です', 'L or ST is required']);
  if (r.l) dnErrors.push(value(r.l, 'L'));
  if (r.st) dnErrors.push(value(r.st, 'ST'));
  if (r.l && (/academe|default/i.test(r.l) || /^city$/i.test(r.l))) dnErrors.push(['L の値が正しくありません', 'L is not a real locality']);
  for (const e of dnErrors) if (e) add(1, ...e);
  if (subjectDn(r).length > 250) add(1, 'DNが250文字を超えています', 'The DN is longer than 250 characters');
  if (!PROFILES.includes(Number(r.profile))) add(2, 'プロファイルIDが正しくありません', 'Unknown profile id');
  if (!r.adminName) add(8, '管理者氏名がありません', "The subscriber admin's name is missing");
  if (r.adminName.length > 64) add(8, '管理者氏名が64文字を超えています', "The admin's name is longer than 64 characters");
  if (downloadType !== 3 || r.adminMail) {
    if (!MAIL.test(r.adminMail)) add(10, '管理者メールアドレスが正しくありません', "The admin's mail address is not valid");
  }
  if (r.userName.length > 64) add(11, '利用者氏名が64文字を超えています', "The user's name is longer than 64 characters");
  if (r.fileName && !/^[A-Za-z0-9._-]{1,64}$/.test(r.fileName)) add(12, 'P12ファイル名に使えない文字があります', 'The P12 file name may hold A-Z a-z 0-9 . _ - only');
  const needUserMail = downloadType !== 2 || SMIME.has(Number(r.profile));
  if (needUserMail || r.userMail) {
    if (!MAIL.test(r.userMail)) add(14, '利用者メールアドレスが正しくありません', "The user's mail address is not valid");
  }
  return out;
}

// One issue row as the file's 15 columns.
export function rowColumns(r, downloadType) {
  return [subjectDn(r), String(r.profile), String(downloadType), '', '', '', '',
    r.adminName, r.adminDept, r.adminMail, r.userName, r.fileName, r.userDept, r.userMail, ''];
}
