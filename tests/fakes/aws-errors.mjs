// Error answers as the real services give them: S3's XML and the AWS JSON protocol's
// {"__type", "message"}, and how a failed signature check reads in each.
import { randomUUID } from 'node:crypto';
import { Code } from './sigv4-verify.mjs';

const S3_STATUS = {
  AccessDenied: 403, AuthorizationHeaderMalformed: 400, InternalError: 500, InvalidAccessKeyId: 403,
  InvalidRequest: 400, InvalidToken: 400, NoSuchBucket: 404, RequestTimeTooSkewed: 403,
  SignatureDoesNotMatch: 403, SlowDown: 503, XAmzContentSHA256Mismatch: 400,
};

const S3_MESSAGES = {
  AccessDenied: 'Access Denied',
  InternalError: 'We encountered an internal error. Please try again.',
  NoSuchBucket: 'The specified bucket does not exist',
  SlowDown: 'Please reduce your request rate.',
};

const S3_CODE_FOR_VERDICT = {
  [Code.MissingSignature]: 'AccessDenied',
  [Code.Malformed]: 'AuthorizationHeaderMalformed',
  [Code.UnknownKey]: 'InvalidAccessKeyId',
  [Code.BadToken]: 'InvalidToken',
  [Code.Mismatch]: 'SignatureDoesNotMatch',
  [Code.Skewed]: 'RequestTimeTooSkewed',
  [Code.Expired]: 'AccessDenied',
  [Code.MissingContentSha256]: 'InvalidRequest',
  [Code.ContentSha256Mismatch]: 'XAmzContentSHA256Mismatch',
};

const xmlEscape = (text) => String(text).replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** The S3 error codes a fake can be told to answer with. */
export const S3_FAULTS = ['AccessDenied', 'NoSuchBucket', 'SlowDown', 'InternalError'];

/** Answers an S3 error: `code` is S3's; `details` become extra elements (e.g. CanonicalRequest). */
export function sendS3Error(req, res, code, message = S3_MESSAGES[code] ?? code, details = {}) {
  const requestId = randomUUID();
  const fields = { Code: code, Message: message, Resource: req.url.split('?')[0], RequestId: requestId, ...details };
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${
    Object.entries(fields).map(([k, v]) => `<${k}>${xmlEscape(v)}</${k}>`).join('')}</Error>`;
  res.writeHead(S3_STATUS[code], { 'content-type': 'application/xml', 'x-amz-request-id': requestId });
  res.end(req.method === 'HEAD' ? undefined : xml);
}

/** Answers a failed signature check as S3 does. */
export function sendS3VerdictError(req, res, verdict) {
  const details = verdict.canonicalRequest ? { CanonicalRequest: verdict.canonicalRequest } : {};
  sendS3Error(req, res, S3_CODE_FOR_VERDICT[verdict.code], verdict.message, details);
}

const JSON_FOR_VERDICT = {
  [Code.MissingSignature]: 'MissingAuthenticationTokenException',
  [Code.Malformed]: 'IncompleteSignatureException',
  [Code.UnknownKey]: 'UnrecognizedClientException',
  [Code.BadToken]: 'UnrecognizedClientException',
  [Code.Mismatch]: 'InvalidSignatureException',
  [Code.Skewed]: 'InvalidSignatureException',
  [Code.Expired]: 'InvalidSignatureException',
  [Code.MissingContentSha256]: 'IncompleteSignatureException',
  [Code.ContentSha256Mismatch]: 'InvalidSignatureException',
};

/** Answers an AWS JSON protocol error (status 400 unless a server fault). */
export function sendJsonError(res, type, message, status = 400) {
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
  res.end(JSON.stringify({ __type: type, message }));
}

/** Answers a failed signature check as an AWS JSON protocol service does. */
export function sendJsonVerdictError(res, verdict) {
  sendJsonError(res, JSON_FOR_VERDICT[verdict.code], verdict.message);
}
