//go:generate go run ../../internal/apigen -members ../../../shared/data/aws-models/iam.json ../../../shared/data/aws-models/sts.json ../../../shared/data/aws-models/lambda.json ../../../shared/data/aws-models/logs.json ../../../shared/data/aws-models/cloudwatch.json

package members
