# iamlocal's Ruby runtime client for AWS Lambda's Runtime API (2018-06-01).
# Written for iamlocal with Ruby's standard library only. It loads the
# handler named by _HANDLER ("file.method" or "file.Module::Class.method")
# from LAMBDA_TASK_ROOT, then loops: GET next invocation, call the handler
# with event: and context:, POST its JSON result or an error document in the
# format of the Lambda Ruby runtime ({"errorMessage", "errorType",
# "stackTrace"}, errorType "Function<Class>" for the handler's errors and
# "Init<Class>" for the loading's).
require 'json'
require 'net/http'
require 'time'

API_PREFIX = '/2018-06-01/runtime'

class RuntimeClient
  def initialize(address)
    host, _, port = address.rpartition(':')
    @http = Net::HTTP.new(host, Integer(port))
    @http.read_timeout = nil
    @http.keep_alive_timeout = 3600
    @http.start
  end

  def get(path)
    @http.request(Net::HTTP::Get.new(API_PREFIX + path))
  end

  def post(path, body, headers = {})
    req = Net::HTTP::Post.new(API_PREFIX + path, { 'Content-Type' => 'application/json' }.merge(headers))
    req.body = body
    @http.request(req)
  end
end

# An error of the runtime itself, reported with an AWS error type.
class FaultError < StandardError
  attr_reader :error_type

  def initialize(error_type, message)
    super(message)
    @error_type = error_type
  end
end

class LambdaContext
  attr_reader :aws_request_id, :invoked_function_arn, :log_group_name, :log_stream_name, :function_name,
              :memory_limit_in_mb, :function_version, :identity, :client_context, :deadline_ms

  def initialize(headers)
    @aws_request_id = headers['lambda-runtime-aws-request-id']
    @invoked_function_arn = headers['lambda-runtime-invoked-function-arn']
    @deadline_ms = headers['lambda-runtime-deadline-ms'].to_i
    @identity = parse(headers['lambda-runtime-cognito-identity'])
    @client_context = parse(headers['lambda-runtime-client-context'])
    @log_group_name = ENV['AWS_LAMBDA_LOG_GROUP_NAME']
    @log_stream_name = ENV['AWS_LAMBDA_LOG_STREAM_NAME']
    @function_name = ENV['AWS_LAMBDA_FUNCTION_NAME']
    @memory_limit_in_mb = ENV['AWS_LAMBDA_FUNCTION_MEMORY_SIZE']
    @function_version = ENV['AWS_LAMBDA_FUNCTION_VERSION']
  end

  def get_remaining_time_in_millis
    [@deadline_ms - (Time.now.to_f * 1000).to_i, 0].max
  end

  private

  def parse(value)
    value.nil? || value.empty? ? nil : JSON.parse(value)
  rescue JSON::ParserError
    nil
  end
end

def error_document(err, prefix)
  type = err.is_a?(FaultError) ? err.error_type : "#{prefix}<#{err.class}>"
  { 'errorMessage' => err.message, 'errorType' => type, 'stackTrace' => err.is_a?(FaultError) ? [] : (err.backtrace || []) }
end

def log_error(doc)
  $stdout.puts(JSON.generate(doc))
  $stdout.flush
end

# Resolves "file.method" or "file.Module::Class.method" against the task root.
def load_handler(task_root, spec)
  # "path/file.Module::Class.method": the file ends at the first dot after the last slash.
  slash = spec.rindex('/') || -1
  dot = spec.index('.', slash + 1)
  raise FaultError.new('Runtime.MalformedHandlerName', "Bad handler #{spec}") if dot.nil? || dot == slash + 1 || dot == spec.length - 1

  file = spec[0...dot]
  rest = spec[(dot + 1)..]
  owner_name, _, method = rest.rpartition('.')
  path = File.join(task_root, file + '.rb')
  raise FaultError.new('Init<LoadError>', "cannot load such file -- #{path}") unless File.file?(path)

  begin
    require path
  rescue ScriptError, StandardError => e
    raise FaultError.new(e.is_a?(SyntaxError) ? 'Init<SyntaxError>' : "Init<#{e.class}>", e.message)
  end
  owner = owner_name.empty? ? Object.new : Object.const_get(owner_name)
  unless owner.respond_to?(method, true)
    raise FaultError.new('Init<NoMethodError>', "undefined method `#{method}' for #{owner_name.empty? ? 'main:Object' : owner_name}")
  end
  owner.method(method)
rescue NameError => e
  raise FaultError.new('Init<NameError>', e.message)
end

def main
  $stdout.sync = true
  task_root = ENV['LAMBDA_TASK_ROOT'] || Dir.pwd
  client = RuntimeClient.new(ENV.fetch('AWS_LAMBDA_RUNTIME_API'))
  begin
    handler = load_handler(task_root, ENV['_HANDLER'] || '')
  rescue StandardError => e
    doc = error_document(e, 'Init')
    log_error(doc)
    client.post('/init/error', JSON.generate(doc), 'Lambda-Runtime-Function-Error-Type' => doc['errorType'])
    exit(1)
  end

  loop do
    res = client.get('/invocation/next')
    unless res.code == '200'
      warn "runtime: /invocation/next answered #{res.code}"
      exit(1)
    end
    headers = res.each_header.to_h
    request_id = headers['lambda-runtime-aws-request-id']
    if headers['lambda-runtime-trace-id']
      ENV['_X_AMZN_TRACE_ID'] = headers['lambda-runtime-trace-id']
    else
      ENV.delete('_X_AMZN_TRACE_ID')
    end
    begin
      event = begin
        res.body.nil? || res.body.empty? ? {} : JSON.parse(res.body)
      rescue JSON::ParserError => e
        raise FaultError.new('Runtime.UnmarshalError', "Unable to parse input as json: #{e.message}")
      end
      result = handler.call(event: event, context: LambdaContext.new(headers))
      body = begin
        JSON.generate(result)
      rescue JSON::GeneratorError, TypeError => e
        raise FaultError.new('Runtime.MarshalError', "Unable to marshal response: #{e.message}")
      end
    rescue StandardError, ScriptError => e
      doc = error_document(e, 'Function')
      log_error(doc)
      client.post("/invocation/#{request_id}/error", JSON.generate(doc), 'Lambda-Runtime-Function-Error-Type' => doc['errorType'])
      next
    end
    answer = client.post("/invocation/#{request_id}/response", body)
    warn "runtime: the response was refused (#{answer.code}): #{answer.body}" if answer.code.to_i >= 300
  end
end

main if $PROGRAM_NAME == __FILE__
