// Package lambdaapi holds the wire types, handler interface and error constructors generated from
// the official lambda API model (../shared/data/aws-models/lambda.json).
package lambdaapi

//go:generate go run ../../internal/apigen -model ../../../shared/data/aws-models/lambda.json -pkg lambdaapi
