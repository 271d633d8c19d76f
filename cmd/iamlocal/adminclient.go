package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// adminRequest sends one request to a running server's admin endpoint, with the admin token
// when there is one, and returns a 200 answer, whose body the caller closes. Another status is
// an error naming the request, the status and the start of the body.
func adminRequest(ctx context.Context, method, url, token, contentType string, body io.Reader) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return nil, fmt.Errorf("%s %s: %s %s", method, url, resp.Status, strings.TrimSpace(string(msg)))
	}
	return resp, nil
}
