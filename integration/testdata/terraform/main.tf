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
  name = "tf-function"
  path = "/service/"
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

output "account_id" {
  value = data.aws_caller_identity.current.account_id
}
