// Package lambdaapi holds the wire types, handler interface and error constructors generated from
// the official lambda API model (internal/awsdata/models/lambda.json).
package lambdaapi

//go:generate go run ../../internal/apigen -model ../../internal/awsdata/models/lambda.json -pkg lambdaapi
