// A PKCS#12 (PFX) of a WebCrypto private key and its certificate, built with
// pkijs (no hand-written DER). `crypto` is pkijs's crypto engine.
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

function attribute(type, value) {
  return new pkijs.Attribute({ type, values: [value] });
}

// PKCS#12: the key in a PKCS8ShroudedKeyBag (PBES2: PBKDF2-SHA256 + AES-256-CBC),
// the certificate in a password-encrypted SafeContents, a SHA-256 HMAC over the
// whole — what OpenSSL 3 writes by default, readable by OpenSSL, NSS, Windows 10+, macOS.
export async function buildPkcs12(crypto, privateKey, certificateDer, password, friendlyName) {
  const pass = new TextEncoder().encode(password).buffer;
  const localKeyId = crypto.getRandomValues(new Uint8Array(8)).buffer;
  const pkcs8 = new pkijs.PrivateKeyInfo({
    schema: asn1js.fromBER(await crypto.exportKey('pkcs8', privateKey)).result,
  });
  const certificate = new pkijs.Certificate({ schema: asn1js.fromBER(certificateDer).result });
  const bagAttributes = () => [
    attribute('1.2.840.113549.1.9.20', new asn1js.BmpString({ value: friendlyName })),
    attribute('1.2.840.113549.1.9.21', new asn1js.OctetString({ valueHex: localKeyId })),
  ];
  const encryption = {
    password: pass,
    contentEncryptionAlgorithm: { name: 'AES-CBC', length: 256 },
    hmacHashAlgorithm: 'SHA-256',
    iterationCount: 100000,
  };
  const pfx = new pkijs.PFX({
    parsedValue: {
      integrityMode: 0,
      authenticatedSafe: new pkijs.AuthenticatedSafe({
        parsedValue: {
          safeContents: [
            {
              privacyMode: 0,
              value: new pkijs.SafeContents({
                safeBags: [new pkijs.SafeBag({
                  bagId: '1.2.840.113549.1.12.10.1.2',
                  bagValue: new pkijs.PKCS8ShroudedKeyBag({ parsedValue: pkcs8 }),
                  bagAttributes: bagAttributes(),
                })],
              }),
            },
            {
              privacyMode: 1,
              value: new pkijs.SafeContents({
                safeBags: [new pkijs.SafeBag({
                  bagId: '1.2.840.113549.1.12.10.1.3',
                  bagValue: new pkijs.CertBag({ parsedValue: certificate }),
                  bagAttributes: bagAttributes(),
                })],
              }),
            },
          ],
        },
      }),
    },
  });
  await pfx.parsedValue.authenticatedSafe.parsedValue.safeContents[0].value.safeBags[0]
    .bagValue.makeInternalValues(encryption, crypto);
  await pfx.parsedValue.authenticatedSafe.makeInternalValues({ safeContents: [{}, encryption] }, crypto);
  await pfx.makeInternalValues({
    password: pass, iterations: 100000, pbkdf2HashAlgorithm: 'SHA-256', hmacHashAlgorithm: 'SHA-256',
  }, crypto);
  return pfx.toSchema().toBER(false);
}

