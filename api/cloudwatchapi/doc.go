// Package cloudwatchapi holds the wire types, handler interface, error constructors and Query
// XML encoders generated from the official cloudwatch (CloudWatch metrics and alarms) API model
// (internal/awsdata/models/cloudwatch.json).
package cloudwatchapi

//go:generate go run ../../internal/apigen -model ../../internal/awsdata/models/cloudwatch.json -pkg cloudwatchapi
