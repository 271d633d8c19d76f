package config

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/emulator"
)

func TestLoad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
		check   func(t *testing.T, c Config)
	}{
		{name: "defaults", check: func(t *testing.T, c Config) {
			if c.Addr != "127.0.0.1:4566" || c.Region != "us-east-1" || c.DataDir != ".iamlocal" {
				t.Errorf("defaults = %+v", c)
			}
			if len(c.Accounts) != 1 || c.Accounts[0].ID != "123456789012" || c.Accounts[0].AccessKeyID != "test" || c.Accounts[0].SecretAccessKey != "test" {
				t.Errorf("accounts = %+v", c.Accounts)
			}
		}},
		{name: "environment", env: map[string]string{"IAMLOCAL_ADDR": "127.0.0.1:0", "IAMLOCAL_REGION": "eu-west-1",
			"IAMLOCAL_ACCOUNT_ID": "111111111111", "IAMLOCAL_ROOT_ACCESS_KEY_ID": "k1", "IAMLOCAL_ROOT_SECRET_ACCESS_KEY": "s1",
			"IAMLOCAL_ACCOUNTS": "222222222222:k2:s2,333333333333:k3:s3", "IAMLOCAL_DATA_DIR": "/var/lib/x"},
			check: func(t *testing.T, c Config) {
				if c.Addr != "127.0.0.1:0" || c.Region != "eu-west-1" || c.DBPath() != "/var/lib/x/iamlocal.db" {
					t.Errorf("config = %+v", c)
				}
				if len(c.Accounts) != 3 || c.Accounts[0].ID != "111111111111" || c.Accounts[2].SecretAccessKey != "s3" {
					t.Errorf("accounts = %+v", c.Accounts)
				}
			}},
		{name: "flags win", args: []string{"-addr", "127.0.0.1:9", "-account", "444444444444:k4:s4", "-account", "555555555555:k5:s5"},
			env: map[string]string{"IAMLOCAL_ADDR": "127.0.0.1:0"}, check: func(t *testing.T, c Config) {
				if c.Addr != "127.0.0.1:9" || len(c.Accounts) != 3 {
					t.Errorf("config = %+v", c)
				}
			}},
		{name: "bad account id", env: map[string]string{"IAMLOCAL_ACCOUNT_ID": "12"}, wantErr: "must be 12 digits"},
		{name: "bad accounts list", env: map[string]string{"IAMLOCAL_ACCOUNTS": "111111111111:k"}, wantErr: "ACCOUNT:ACCESS_KEY_ID:SECRET"},
		{name: "duplicate key", env: map[string]string{"IAMLOCAL_ACCOUNTS": "111111111111:test:x"}, wantErr: "used by two accounts"},
		{name: "duplicate account", env: map[string]string{"IAMLOCAL_ACCOUNTS": "123456789012:k:x"}, wantErr: "configured twice"},
		{name: "bad addr", args: []string{"-addr", "nope"}, wantErr: "want host:port"},
		{name: "bad region", env: map[string]string{"IAMLOCAL_REGION": "mars"}, wantErr: "not a region name"},
		{name: "bad enforce", env: map[string]string{"IAMLOCAL_ENFORCE": "maybe"}, wantErr: "want on, soft or off"},
		{name: "soft enforce", env: map[string]string{"IAMLOCAL_ENFORCE": "soft"}, check: func(t *testing.T, c Config) {
			if c.Enforce != "soft" {
				t.Errorf("Enforce = %q", c.Enforce)
			}
		}},
		{name: "default partition", check: func(t *testing.T, c Config) {
			if c.Partition != "aws" {
				t.Errorf("Partition = %q", c.Partition)
			}
		}},
		{name: "partition from the environment", env: map[string]string{"IAMLOCAL_PARTITION": "aws-us-gov"}, check: func(t *testing.T, c Config) {
			if c.Partition != "aws-us-gov" {
				t.Errorf("Partition = %q", c.Partition)
			}
		}},
		{name: "partition flag wins", args: []string{"-partition", "aws-eusc"}, env: map[string]string{"IAMLOCAL_PARTITION": "aws-cn"},
			check: func(t *testing.T, c Config) {
				if c.Partition != "aws-eusc" {
					t.Errorf("Partition = %q", c.Partition)
				}
			}},
		{name: "bad partition", env: map[string]string{"IAMLOCAL_PARTITION": "aws-gov"}, wantErr: `partition "aws-gov": want one of aws, aws-cn, aws-us-gov`},
		{name: "empty partition", args: []string{"-partition", ""}, wantErr: `partition ""`},
		{name: "bad log level", env: map[string]string{"IAMLOCAL_LOG_LEVEL": "loud"}, wantErr: "log level"},
		{name: "empty secret", args: []string{"-root-secret-access-key", ""}, wantErr: "must not be empty"},
		{name: "stray argument", args: []string{"extra"}, wantErr: "unexpected argument"},
		{name: "init file from the environment", env: map[string]string{"IAMLOCAL_INIT": "fixture.yaml"}, check: func(t *testing.T, c Config) {
			if c.Init != "fixture.yaml" {
				t.Errorf("Init = %q", c.Init)
			}
		}},
		{name: "init flag wins", args: []string{"-init", "b.json"}, env: map[string]string{"IAMLOCAL_INIT": "a.yaml"}, check: func(t *testing.T, c Config) {
			if c.Init != "b.json" {
				t.Errorf("Init = %q", c.Init)
			}
		}},
		{name: "admin token from the environment", env: map[string]string{"IAMLOCAL_ADMIN_TOKEN": "env-token"}, check: func(t *testing.T, c Config) {
			if c.AdminToken != "env-token" {
				t.Errorf("AdminToken = %q", c.AdminToken)
			}
		}},
		{name: "admin token flag wins", args: []string{"-admin-token", "flag-token"}, env: map[string]string{"IAMLOCAL_ADMIN_TOKEN": "env-token"},
			check: func(t *testing.T, c Config) {
				if c.AdminToken != "flag-token" {
					t.Errorf("AdminToken = %q", c.AdminToken)
				}
			}},
		{name: "admin token with a blank", args: []string{"-admin-token", "a b"}, wantErr: "admin token must not contain blanks"},
		{name: "function URL defaults", check: func(t *testing.T, c Config) {
			if c.URLBase != "" || c.URLAuth != "current" {
				t.Errorf("URLBase, URLAuth = %q, %q", c.URLBase, c.URLAuth)
			}
		}},
		{name: "function URL settings from the environment", env: map[string]string{"IAMLOCAL_URL_BASE": "http://iamlocal:4566",
			"IAMLOCAL_URL_AUTH": "legacy"}, check: func(t *testing.T, c Config) {
			if c.URLBase != "http://iamlocal:4566" || c.URLAuth != "legacy" {
				t.Errorf("URLBase, URLAuth = %q, %q", c.URLBase, c.URLAuth)
			}
		}},
		{name: "function URL flags win", args: []string{"-url-base", "https://example.test/", "-url-auth", "current"},
			env: map[string]string{"IAMLOCAL_URL_BASE": "http://iamlocal:4566", "IAMLOCAL_URL_AUTH": "legacy"},
			check: func(t *testing.T, c Config) {
				if c.URLBase != "https://example.test/" || c.URLAuth != "current" {
					t.Errorf("URLBase, URLAuth = %q, %q", c.URLBase, c.URLAuth)
				}
			}},
		{name: "function URL base without a scheme", env: map[string]string{"IAMLOCAL_URL_BASE": "iamlocal:4566"}, wantErr: `function URL base "iamlocal:4566"`},
		{name: "function URL base with a path", args: []string{"-url-base", "http://h/x"}, wantErr: "want http(s)://host[:port]"},
		{name: "bad function URL authorization", env: map[string]string{"IAMLOCAL_URL_AUTH": "both"}, wantErr: "want current or legacy"},
		{name: "lambda defaults", check: func(t *testing.T, c Config) {
			if c.LambdaConcurrency != 1000 || c.MaxEnvironments != 32 || c.InvokeQueueSize != 1000 || c.InvokeQueueWait != time.Minute || c.AsyncDelayScale != 1 {
				t.Errorf("lambda settings = %+v", c)
			}
			o := c.LambdaOptions(emulator.Options{})
			if o.LambdaConcurrency != 1000 || o.MaxEnvironments != 32 || o.InvokeQueueSize != 1000 || o.InvokeQueueWait != time.Minute || o.AsyncDelayScale != 1 {
				t.Errorf("options = %+v", o)
			}
		}},
		{name: "lambda settings from the environment", env: map[string]string{"IAMLOCAL_LAMBDA_CONCURRENCY": "50", "IAMLOCAL_MAX_ENVIRONMENTS": "4",
			"IAMLOCAL_INVOKE_QUEUE_SIZE": "0", "IAMLOCAL_INVOKE_QUEUE_WAIT": "5s", "IAMLOCAL_ASYNC_DELAY_SCALE": "0.001"},
			check: func(t *testing.T, c Config) {
				if c.LambdaConcurrency != 50 || c.MaxEnvironments != 4 || c.InvokeQueueSize != 0 || c.InvokeQueueWait != 5*time.Second || c.AsyncDelayScale != 0.001 {
					t.Errorf("lambda settings = %+v", c)
				}
				if o := c.LambdaOptions(emulator.Options{}); o.InvokeQueueSize != -1 {
					t.Errorf("a queue of 0 is %d in the options, want -1 (none wait)", o.InvokeQueueSize)
				}
			}},
		{name: "lambda flags win", args: []string{"-async-delay-scale", "0.5", "-max-environments", "8"}, env: map[string]string{"IAMLOCAL_ASYNC_DELAY_SCALE": "0.001"},
			check: func(t *testing.T, c Config) {
				if c.AsyncDelayScale != 0.5 || c.MaxEnvironments != 8 {
					t.Errorf("lambda settings = %+v", c)
				}
			}},
		{name: "bad lambda concurrency", env: map[string]string{"IAMLOCAL_LAMBDA_CONCURRENCY": "0"}, wantErr: `lambda concurrency "0"`},
		{name: "bad max environments", args: []string{"-max-environments", "many"}, wantErr: `max environments "many"`},
		{name: "bad queue size", env: map[string]string{"IAMLOCAL_INVOKE_QUEUE_SIZE": "-1"}, wantErr: `invoke queue size "-1"`},
		{name: "bad queue wait", env: map[string]string{"IAMLOCAL_INVOKE_QUEUE_WAIT": "10"}, wantErr: `invoke queue wait "10"`},
		{name: "bad delay scale", env: map[string]string{"IAMLOCAL_ASYNC_DELAY_SCALE": "0"}, wantErr: `async delay scale "0"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}
