import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  errorText,
  fieldErrors,
  isDNS1123Label,
  isDNS1123Subdomain,
  notSupported,
  required,
} from '../../../src/apiserver/registry/validation.js';
import { invalid } from '../../../src/api/errors.js';

describe('field error texts match upstream', () => {
  it('invalid subdomain name', () => {
    const [e] = fieldErrors('metadata.name', 'Bad_Name', isDNS1123Subdomain('Bad_Name'));
    assert.equal(
      errorText(e),
      `metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    );
  });
  it('label examples joined as upstream', () => {
    assert.match(isDNS1123Label('A')[0], /\(e\.g\. 'my-name', {2}or '123-abc', regex used/);
  });
  it('required and unsupported', () => {
    assert.equal(errorText(required('spec.containers')), 'spec.containers: Required value');
    assert.equal(
      errorText(notSupported('spec.restartPolicy', 'Sometimes', ['Always', 'OnFailure', 'Never'])),
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    );
  });
  it('several errors are bracketed in the Status message', () => {
    const errs = [required('a'), required('b')].map((e) => ({
      type: e.type,
      field: e.field,
      message: 'Required value',
      text: errorText(e),
    }));
    const s = invalid('', 'Pod', 'p', errs).toStatus();
    assert.equal(s.message, 'Pod "p" is invalid: [a: Required value, b: Required value]');
    assert.equal(s.code, 422);
    assert.deepEqual(s.details?.causes?.[0], {
      reason: 'FieldValueRequired',
      message: 'Required value',
      field: 'a',
    });
  });
});
