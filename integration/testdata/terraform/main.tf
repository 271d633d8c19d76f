# The configuration TestTerraform applies against an in-process iamlocal: every resource a user
# typically declares for a Lambda function with its IAM around it.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

variable "endpoint" {
  type = string
}

variable "zip_path" {
  type = string
}

provider "aws" {
  region     = "us-east-1"
  access_key = "test"
  secret_key = "test"
  # The provider calls sts:GetCallerIdentity for the account id: iamlocal answers it, so
  # neither the credentials check nor the account id lookup is skipped.
  endpoints {
    iam        = var.endpoint
    sts        = var.endpoint
    lambda     = var.endpoint
    logs       = var.endpoint
    cloudwatch = var.endpoint
  }
}

data "aws_caller_identity" "current" {}

resource "aws_iam_role" "function" {
  name                 = "tf-function"
  path                 = "/service/"
  description          = "Runs tf-function"
  max_session_duration = 7200
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
  tags = { project = "tf" }
}

resource "aws_iam_policy" "logs" {
  name        = "tf-function-logs"
  description = "Lets the function write its logs"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "${aws_cloudwatch_log_group.function.arn}:*"
    }]
  })
  tags = { project = "tf" }
}

resource "aws_iam_role_policy" "read_self" {
  name = "read-self"
  role = aws_iam_role.function.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:GetRole"
      Resource = aws_iam_role.function.arn
    }]
  })
}

resource "aws_iam_role_policy_attachment" "logs" {
  role       = aws_iam_role.function.name
  policy_arn = aws_iam_policy.logs.arn
}

resource "aws_iam_user" "deployer" {
  name = "tf-deployer"
  tags = { project = "tf" }
}

resource "aws_iam_access_key" "deployer" {
  user = aws_iam_user.deployer.name
}

resource "aws_iam_user_policy_attachment" "deployer" {
  user       = aws_iam_user.deployer.name
  policy_arn = "arn:aws:iam::aws:policy/AWSLambda_ReadOnlyAccess"
}

resource "aws_iam_group" "deployers" {
  name = "tf-deployers"
  path = "/teams/"
}

resource "aws_iam_group_membership" "deployers" {
  name  = "tf-deployers-membership"
  group = aws_iam_group.deployers.name
  users = [aws_iam_user.deployer.name]
}

resource "aws_iam_group_policy_attachment" "deployers" {
  group      = aws_iam_group.deployers.name
  policy_arn = aws_iam_policy.logs.arn
}

resource "aws_cloudwatch_log_group" "function" {
  name              = "/aws/lambda/tf-function"
  retention_in_days = 7
  tags              = { project = "tf" }
}

resource "aws_lambda_function" "function" {
  function_name    = "tf-function"
  role             = aws_iam_role.function.arn
  runtime          = "python3.11"
  handler          = "index.handler"
  filename         = var.zip_path
  source_code_hash = filebase64sha256(var.zip_path)
  publish          = true
  timeout          = 10
  memory_size      = 256
  environment {
    variables = { GREETING = "hello" }
  }
  # With JSON, Lambda answers both levels as INFO when none is given; the provider plans a new
  # version on every run unless they are written out, on AWS as here
  # (hashicorp/terraform-provider-aws#42181, #42660).
  logging_config {
    log_format            = "JSON"
    log_group             = aws_cloudwatch_log_group.function.name
    application_log_level = "INFO"
    system_log_level      = "INFO"
  }
  tags       = { project = "tf" }
  depends_on = [aws_iam_role_policy_attachment.logs, aws_cloudwatch_log_group.function]
}

resource "aws_lambda_alias" "live" {
  name             = "live"
  function_name    = aws_lambda_function.function.function_name
  function_version = aws_lambda_function.function.version
}

resource "aws_lambda_permission" "account" {
  statement_id  = "AllowAccountInvoke"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.function.function_name
  # Lambda stores an account id principal as the account's root ARN, and the provider reads that
  # back, so an account id here plans a replacement forever, on AWS as here
  # (hashicorp/terraform-provider-aws#30722): the ARN is what a configuration names.
  principal = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"
}

# A public URL: since October 2025 AWS requires both lambda:InvokeFunctionUrl and
# lambda:InvokeFunction for it. The provider's aws_lambda_function_url adds a statement of its own
# named FunctionURLAllowPublicAccess for auth NONE, so these two are named otherwise: the same
# Sid here would be refused as a duplicate (ResourceConflictException), on AWS as here.
resource "aws_lambda_function_url" "function" {
  function_name      = aws_lambda_function.function.function_name
  authorization_type = "NONE"
}

resource "aws_lambda_permission" "url" {
  statement_id           = "PublicURLInvokeFunctionUrl"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.function.function_name
  principal              = "*"
  function_url_auth_type = "NONE"
}

resource "aws_lambda_permission" "url_invoke" {
  statement_id  = "PublicURLInvokeFunction"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.function.function_name
  principal     = "*"
}

resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_name          = "tf-function-errors"
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.function.function_name }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  tags                = { project = "tf" }
}

resource "aws_cloudwatch_dashboard" "function" {
  dashboard_name = "tf-function"
  dashboard_body = jsonencode({
    widgets = [{
      type   = "metric"
      x      = 0
      y      = 0
      width  = 12
      height = 6
      properties = {
        metrics = [["AWS/Lambda", "Errors", "FunctionName", aws_lambda_function.function.function_name]]
        period  = 60
        stat    = "Sum"
        region  = "us-east-1"
        title   = "tf-function errors"
      }
    }]
  })
}

resource "aws_cloudwatch_composite_alarm" "errors" {
  alarm_name = "tf-function-errors-composite"
  alarm_rule = "ALARM(${aws_cloudwatch_metric_alarm.errors.alarm_name})"
  tags       = { project = "tf" }
}

output "account_id" {
  value = data.aws_caller_identity.current.account_id
}

output "function_name" {
  value = aws_lambda_function.function.function_name
}

output "function_url" {
  value = aws_lambda_function_url.function.function_url
}

output "deployer_access_key_id" {
  value = aws_iam_access_key.deployer.id
}

output "deployer_secret_access_key" {
  value     = aws_iam_access_key.deployer.secret
  sensitive = true
}

output "function_version" {
  value = aws_lambda_function.function.version
}

# An application log group with what observability modules put on one: a metric filter, a
# subscription filter to the function (which needs a permission for CloudWatch Logs, named by
# the group's ARN with its ":*" suffix, as AWS's subscription filter examples write it) and an
# account resource policy.
resource "aws_cloudwatch_log_group" "app" {
  name              = "/tf/app"
  retention_in_days = 14
}

resource "aws_cloudwatch_log_metric_filter" "app_errors" {
  name           = "tf-app-errors"
  log_group_name = aws_cloudwatch_log_group.app.name
  pattern        = "ERROR"
  metric_transformation {
    name          = "AppErrors"
    namespace     = "TF/App"
    value         = "1"
    default_value = "0"
  }
}

resource "aws_lambda_permission" "logs" {
  statement_id  = "AllowCloudWatchLogs"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.function.function_name
  principal     = "logs.amazonaws.com"
  source_arn    = "${aws_cloudwatch_log_group.app.arn}:*"
}

resource "aws_cloudwatch_log_subscription_filter" "app_to_function" {
  name            = "tf-app-to-function"
  log_group_name  = aws_cloudwatch_log_group.app.name
  filter_pattern  = "ERROR"
  destination_arn = aws_lambda_function.function.arn
  depends_on      = [aws_lambda_permission.logs]
}

resource "aws_cloudwatch_log_resource_policy" "delivery" {
  policy_name = "tf-delivery"
  policy_document = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DeliveryWrite"
      Effect    = "Allow"
      Principal = { Service = "delivery.logs.amazonaws.com" }
      Action    = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource  = "${aws_cloudwatch_log_group.app.arn}:*"
    }]
  })
}
