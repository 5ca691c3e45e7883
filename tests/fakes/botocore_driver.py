"""Drives the AWS fakes through botocore (Debian's python3-botocore), so their answers are read
by AWS's own client code: its signer, its protocol parsers and its IMDS fetcher.

Run with /usr/bin/python3. Reads one JSON request a line on stdin, writes one JSON answer a
line on stdout, until stdin closes:
  {"op": "call", "service", "operation", "params", "endpoint", "credentials"?, "region"?}
      a client call, signed (unsigned without credentials), one attempt, no retries:
      {"ok": true, "status", "result"} or {"ok": false, "status", "code", "message", "request_id"}
  {"op": "parse", "service", "operation", "status", "headers", "body_base64"}
      an answer captured from a fake, through the parser of the service's protocol:
      {"ok": true, "result"} or {"ok": false, "status", "code", "message", "request_id"}
  {"op": "imds_credentials", "endpoint"}
      the instance role's credentials as botocore's fetcher reads them ({} when it cannot)
  {"op": "imds_token", "endpoint", "token_ttl"?}
      a session token as the fetcher asks for it: {"token"} (null when it falls back to IMDSv1)
  {"op": "imds_get", "endpoint", "path", "token"?}
      one metadata request through the fetcher's session: {"status", "text"}
An exception the driver does not expect is answered as {"exception": NAME, "text"}.
"""
import base64
import datetime
import json
import sys

import botocore.session
from botocore import UNSIGNED, parsers, xform_name
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.utils import InstanceMetadataFetcher

session = botocore.session.get_session()
session.set_config_variable('region', 'us-east-1')


def jsonable(value):
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return {'base64': base64.b64encode(value).decode()}
    if hasattr(value, 'read'):  # a streaming body
        return jsonable(value.read())
    return value


def error_answer(parsed, status):
    error = parsed.get('Error', {})
    return {'ok': False, 'status': status, 'code': error.get('Code'), 'message': error.get('Message'),
            'request_id': parsed.get('ResponseMetadata', {}).get('RequestId')}


def client(request):
    credentials = request.get('credentials')
    config = Config(retries={'total_max_attempts': 1}, s3={'addressing_style': 'path'},
                    signature_version=None if credentials else UNSIGNED)
    keys = {}
    if credentials:
        keys = {'aws_access_key_id': credentials['accessKeyId'],
                'aws_secret_access_key': credentials['secretAccessKey'],
                'aws_session_token': credentials.get('sessionToken')}
    return session.create_client(request['service'], region_name=request.get('region', 'us-east-1'),
                                 endpoint_url=request['endpoint'], config=config, **keys)


def call(request):
    api = client(request)
    try:
        result = getattr(api, xform_name(request['operation']))(**request.get('params', {}))
    except ClientError as error:
        return error_answer(error.response, error.response['ResponseMetadata']['HTTPStatusCode'])
    return {'ok': True, 'status': result['ResponseMetadata']['HTTPStatusCode'], 'result': jsonable(result)}


def parse(request):
    model = session.get_service_model(request['service'])
    operation = model.operation_model(request['operation'])
    parser = parsers.create_parser(model.metadata['protocol'])
    response = {'status_code': request['status'], 'headers': request['headers'],
                'body': base64.b64decode(request['body_base64'])}
    parsed = parser.parse(response, operation.output_shape)
    if request['status'] >= 300:
        return error_answer(parsed, request['status'])
    return {'ok': True, 'result': jsonable(parsed)}


def fetcher(request, token_ttl=None):
    class Fetcher(InstanceMetadataFetcher):
        _TOKEN_TTL = token_ttl or InstanceMetadataFetcher._TOKEN_TTL
    return Fetcher(base_url=request['endpoint'], num_attempts=1, timeout=5, env={})


def imds_credentials(request):
    return fetcher(request).retrieve_iam_role_credentials()


def imds_token(request):
    return {'token': fetcher(request, request.get('token_ttl'))._fetch_metadata_token()}


def imds_get(request):
    response = fetcher(request)._get_request(request['path'], retry_func=lambda r: False, token=request.get('token'))
    return {'status': response.status_code, 'text': response.text}


OPERATIONS = {'call': call, 'parse': parse, 'imds_credentials': imds_credentials,
              'imds_token': imds_token, 'imds_get': imds_get}

for line in sys.stdin:
    request = json.loads(line)
    try:
        answer = OPERATIONS[request['op']](request)
    except Exception as error:  # reported to the test, which fails on what it did not expect
        answer = {'exception': type(error).__name__, 'text': str(error)}
    print(json.dumps(answer), flush=True)
