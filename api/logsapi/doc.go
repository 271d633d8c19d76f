// Package logsapi holds the wire types, handler interface and error constructors generated from
// the official logs (CloudWatch Logs) API model (internal/awsdata/models/logs.json).
package logsapi

//go:generate go run ../../internal/apigen -model ../../internal/awsdata/models/logs.json -pkg logsapi
