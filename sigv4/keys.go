package sigv4

import "sync"

// SigningKeys remembers derived signing keys. Deriving one is four HMAC-SHA256s, about as much
// as the rest of a small request's verification, and a client signs every request of a day for
// one region and service with the same key. Safe for concurrent use; the zero value is ready.
type SigningKeys struct {
	mu sync.Mutex
	m  map[signingScope][]byte
}

// signingScope is what a signing key derives from.
type signingScope struct{ secret, date, region, service string }

// maxSigningKeys bounds the cache; a full one starts over.
const maxSigningKeys = 4096

// key is SigningKey, remembered. A nil *SigningKeys derives every time.
func (c *SigningKeys) key(secret, date, region, service string) []byte {
	if c == nil {
		return SigningKey(secret, date, region, service)
	}
	scope := signingScope{secret, date, region, service}
	c.mu.Lock()
	k, ok := c.m[scope]
	c.mu.Unlock()
	if ok {
		return k
	}
	k = SigningKey(secret, date, region, service)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxSigningKeys {
		c.m = map[signingScope][]byte{}
	}
	c.m[scope] = k
	c.mu.Unlock()
	return k
}
