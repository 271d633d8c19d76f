# iamlocal's Python runtime client for AWS Lambda's Runtime API (2018-06-01).
# Written for iamlocal with the standard library only. It loads the handler
# named by _HANDLER from LAMBDA_TASK_ROOT, then loops: GET next invocation,
# call the handler, POST its JSON result or an error document in the format
# of the Lambda Python runtime ({"errorMessage", "errorType", "requestId",
# "stackTrace"}).
import http.client
import importlib
import importlib.machinery
import json
import logging
import os
import site
import sys
import time
import traceback

API_PREFIX = "/2018-06-01/runtime"
THIS_FILE = os.path.abspath(__file__)


class RuntimeClient:
    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self.host, self.port = host, int(port)
        self.conn = None

    def call(self, method, path, body=None, headers=None):
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port)
            try:
                self.conn.request(method, API_PREFIX + path, body=body, headers=headers or {})
                resp = self.conn.getresponse()
                return resp.status, resp.headers, resp.read()
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise


class FaultError(Exception):
    """An error of the runtime itself, reported with an AWS error type."""

    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type


class CognitoIdentity:
    def __init__(self, doc):
        self.cognito_identity_id = doc.get("cognitoIdentityId")
        self.cognito_identity_pool_id = doc.get("cognitoIdentityPoolId")


class ClientContext:
    def __init__(self, doc):
        self.client = doc.get("client")
        self.custom = doc.get("custom")
        self.env = doc.get("env")


class LambdaContext:
    def __init__(self, request_id, deadline_ms, arn, client_context, identity):
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.client_context = ClientContext(client_context) if client_context else None
        self.identity = CognitoIdentity(identity) if identity else None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def __repr__(self):
        return "LambdaContext([aws_request_id=%s,function_name=%s,function_version=%s,invoked_function_arn=%s])" % (
            self.aws_request_id, self.function_name, self.function_version, self.invoked_function_arn)


CURRENT_REQUEST_ID = ""


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = CURRENT_REQUEST_ID
        return True


class LambdaFormatter(logging.Formatter):
    converter = time.gmtime

    def formatTime(self, record, datefmt=None):
        return time.strftime("%Y-%m-%dT%H:%M:%S", self.converter(record.created)) + ".%03dZ" % record.msecs


# The record fields of the Lambda Python runtime's JSON log format
# (awslambdaric's JsonFormatter): the LogRecord attributes that are not
# copied into a record as extra keys.
RESERVED_FIELDS = {"name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module", "exc_info",
                   "exc_text", "stack_info", "lineno", "funcName", "created", "msecs", "relativeCreated", "thread",
                   "threadName", "processName", "process", "aws_request_id", "taskName"}


class JsonFormatter(logging.Formatter):
    """{"timestamp", "level", "message", "logger", "requestId"}, with
    "errorType", "errorMessage", "stackTrace" and "location" for a record
    that carries an exception, and any extra= keys, as Lambda writes them."""

    def format(self, record):
        created = time.gmtime(record.created)
        out = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", created) + ".%03dZ" % record.msecs,
            "level": logging.getLevelName(min(50, max(0, record.levelno)) // 10 * 10),
            "message": record.getMessage(),
            "logger": record.name,
            "requestId": getattr(record, "aws_request_id", None) or None,
        }
        if record.exc_info:
            out["errorType"] = record.exc_info[0].__name__
            out["errorMessage"] = str(record.exc_info[1])
            out["stackTrace"] = traceback.format_tb(record.exc_info[2])
            out["location"] = "%s:%s:%d" % (record.pathname, record.funcName, record.lineno)
        for k, v in record.__dict__.items():
            if k not in RESERVED_FIELDS and k not in out:
                out[k] = v
        return json.dumps({k: v for k, v in out.items() if v is not None}, ensure_ascii=False, default=str)


JSON_LOGS = os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON"


def setup_logging():
    handler = logging.StreamHandler(sys.stdout)
    if JSON_LOGS:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(LambdaFormatter("[%(levelname)s]\t%(asctime)s\t%(aws_request_id)s\t%(message)s"))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    root.addHandler(handler)
    if JSON_LOGS:
        # The root logger at the application log level, TRACE as DEBUG and
        # FATAL as CRITICAL (Python's logging has neither).
        level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "INFO").upper()
        root.setLevel({"TRACE": "DEBUG", "WARN": "WARNING", "FATAL": "CRITICAL"}.get(level, level))


def flush():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


def user_frames(tb):
    return [f for f in traceback.extract_tb(tb) if os.path.abspath(f.filename) != THIS_FILE]


def error_document(exc, request_id):
    if isinstance(exc, FaultError):
        error_type, stack = exc.error_type, []
    else:
        error_type, stack = type(exc).__name__, traceback.format_list(user_frames(exc.__traceback__))
    return {"errorMessage": str(exc), "errorType": error_type, "requestId": request_id, "stackTrace": stack}


def log_error(doc):
    if JSON_LOGS:
        rec = {"timestamp": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + ".%03dZ" % (int(time.time() * 1000) % 1000),
               "level": "ERROR", "message": doc["errorMessage"], "errorType": doc["errorType"],
               "errorMessage": doc["errorMessage"], "stackTrace": doc["stackTrace"], "requestId": doc["requestId"] or None}
        sys.stdout.write(json.dumps({k: v for k, v in rec.items() if v is not None}, ensure_ascii=False) + "\n")
        flush()
        return
    lines = ["[ERROR] %s: %s" % (doc["errorType"], doc["errorMessage"])]
    if doc["stackTrace"]:
        lines.append("Traceback (most recent call last):")
        for frame in doc["stackTrace"]:
            lines.extend(frame.rstrip("\n").split("\n"))
    sys.stdout.write("\n".join(lines) + "\n")
    flush()


def show_lambda_paths(task_root):
    """Without an execution environment of its own the task root and the
    emulated /opt are host directories: compile the modules found there under
    the names Lambda's have, /var/task/... and /opt/..., so that tracebacks,
    error documents and log records show AWS's paths. Imports still resolve,
    and __file__ still points, where the files really are."""
    task_root = os.path.abspath(task_root)
    if task_root == "/var/task":
        return
    shown = [(os.path.join(task_root, ""), "/var/task/"),
             (os.path.join(os.path.dirname(task_root), "opt", ""), "/opt/")]

    def lambda_path(path):
        for real, name in shown:
            if path.startswith(real):
                return name + path[len(real):]
        return path

    class LambdaPathLoader(importlib.machinery.SourceFileLoader):
        # No bytecode cache: a cached module's co_filename is reset to its real path.
        def get_code(self, fullname):
            path = self.get_filename(fullname)
            return compile(self.get_data(path), lambda_path(path), "exec", dont_inherit=True)

    class LambdaPathFinder:
        @staticmethod
        def find_spec(name, path=None, target=None):
            spec = importlib.machinery.PathFinder.find_spec(name, path, target)
            if (spec is not None and type(spec.loader) is importlib.machinery.SourceFileLoader
                    and lambda_path(spec.origin) != spec.origin):
                spec.loader = LambdaPathLoader(spec.name, spec.origin)
            return spec

        @staticmethod
        def invalidate_caches():
            importlib.machinery.PathFinder.invalidate_caches()

    sys.meta_path.insert(sys.meta_path.index(importlib.machinery.PathFinder), LambdaPathFinder)


def load_handler(spec):
    try:
        module_name, function_name = spec.rsplit(".", 1)
    except ValueError as e:
        raise FaultError("Runtime.MalformedHandlerName", "Bad handler '%s': %s" % (spec, e))
    module_name = module_name.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise FaultError("Runtime.ImportModuleError", "Unable to import module '%s': %s" % (module_name, e))
    except SyntaxError as e:
        raise FaultError("Runtime.UserCodeSyntaxError", "Syntax error in module '%s': %s" % (module_name, e))
    handler = getattr(module, function_name, None)
    if handler is None:
        raise FaultError("Runtime.HandlerNotFound", "Handler '%s' missing on module '%s'" % (function_name, module_name))
    return handler


def main():
    global CURRENT_REQUEST_ID
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    # The task root, then the layer directories the executor passes as
    # arguments (the emulated /opt/python/lib/python3.N/site-packages and
    # /opt/python), in the order of the Lambda Python runtime's sys.path.
    layer_dirs = [a for a in sys.argv[1:] if not a.startswith("--sdk=")]
    sys.path[0:0] = [task_root] + layer_dirs
    # The bundled AWS SDK (boto3) last, where the interpreter does not have
    # it already: a function's own boto3 wins, as on Lambda.
    for a in sys.argv[1:]:
        if a.startswith("--sdk=") and a[6:] not in sys.path:
            sys.path.append(a[6:])
    for d in layer_dirs:
        if d.endswith("site-packages") and os.path.isdir(d):
            site.addsitedir(d)  # already on sys.path: only its .pth files are read
    show_lambda_paths(task_root)
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    setup_logging()
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except Exception as e:
        doc = error_document(e, "")
        log_error(doc)
        client.call("POST", "/init/error", json.dumps(doc).encode(),
                    {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": doc["errorType"]})
        sys.exit(1)

    while True:
        status, headers, body = client.call("GET", "/invocation/next")
        if status != 200:
            sys.stderr.write("runtime: /invocation/next answered %d\n" % status)
            sys.exit(1)
        request_id = headers.get("Lambda-Runtime-Aws-Request-Id", "")
        CURRENT_REQUEST_ID = request_id
        trace = headers.get("Lambda-Runtime-Trace-Id")
        if trace:
            os.environ["_X_AMZN_TRACE_ID"] = trace
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        try:
            client_context = json.loads(headers.get("Lambda-Runtime-Client-Context") or "null")
            identity = json.loads(headers.get("Lambda-Runtime-Cognito-Identity") or "null")
            context = LambdaContext(request_id, int(headers.get("Lambda-Runtime-Deadline-Ms") or 0),
                                    headers.get("Lambda-Runtime-Invoked-Function-Arn"), client_context, identity)
            try:
                event = json.loads(body) if body else {}
            except ValueError as e:
                raise FaultError("Runtime.UnmarshalError", "Unable to unmarshal input: %s" % e)
            result = handler(event, context)
            try:
                out = json.dumps(result).encode()
            except (TypeError, ValueError) as e:
                raise FaultError("Runtime.MarshalError", "Unable to marshal response: %s" % e)
        except Exception as e:
            doc = error_document(e, request_id)
            log_error(doc)
            client.call("POST", "/invocation/%s/error" % request_id, json.dumps(doc).encode(),
                        {"Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": doc["errorType"]})
            continue
        flush()
        status, _, answer = client.call("POST", "/invocation/%s/response" % request_id, out,
                                        {"Content-Type": "application/json"})
        if status >= 300:
            sys.stdout.write("[ERROR] runtime: the response was refused (%d): %s\n" % (status, answer.decode(errors="replace")))
            flush()


if __name__ == "__main__":
    main()
