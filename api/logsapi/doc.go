// Package logsapi holds the wire types, handler interface and error constructors generated from
// the official logs (CloudWatch Logs) API model (../shared/data/aws-models/logs.json).
package logsapi

//go:generate go run ../../internal/apigen -model ../../../shared/data/aws-models/logs.json -pkg logsapi
