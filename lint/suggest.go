package lint

import "strings"

// Suggestions for misspelt names: the nearest real one by edit distance, when it is near
// enough to be the likely intent. AWS offers one "for some common issues" only (its finding
// for sqs:DeleteMessageBatch, five edits from sqs:DeleteMessage, suggests nothing), so the
// bound is tight: a quarter of the name's length, at least one edit.

func closeEnough(distance int, name string) bool {
	return distance <= max(1, len(name)/4)
}

// nearestAction is the action of s nearest to name, "" when none is close enough.
func nearestAction(s serviceInfo, name string) string {
	var best textRef
	bestDist := -1
	lower := strings.ToLower(name)
	bound := max(1, len(name)/4)
	var d distance
	for _, candidate := range s.actionRecs() {
		// Lengths further apart than the bound cannot be close enough: skip the work. The
		// reference's names are ASCII: lower case is as long as canonical.
		if abs(int(candidate.lower.n)-len(name)) > bound {
			continue
		}
		dist := d.between(lower, s.c.text(candidate.lower))
		if bestDist < 0 || dist < bestDist {
			best, bestDist = candidate.name, dist
		}
	}
	if bestDist < 0 || !closeEnough(bestDist, name) {
		return ""
	}
	return s.c.text(best)
}

// nearestService is the service a misspelt prefix most likely means, compared with each
// service's prefix and with its name condensed (cloudwatchlog is one edit from "CloudWatch
// Logs", the logs service, and three from the cloudwatch prefix). A service that has the
// action named after the prefix wins a tie.
func (c *catalog) nearestService(prefix, actionName string) (serviceInfo, bool) {
	lower, lowerAction := strings.ToLower(prefix), strings.ToLower(actionName)
	var best serviceInfo
	bestDist := -1
	bound := max(1, len(prefix)/4)
	var dd distance
	for i := range c.services {
		s := serviceInfo{c, &c.services[i]}
		// As in nearestAction: a length further off than the bound is never close enough.
		near := func(other string) int {
			if abs(len(other)-len(lower)) > bound {
				return bound + 1
			}
			return dd.between(lower, other)
		}
		d := min(near(c.text(s.rec.lower)), near(s.condensed()))
		if _, ok := s.action(lowerAction); !ok {
			d++ // prefer a service where the rest of the action exists
		}
		if bestDist < 0 || d < bestDist {
			best, bestDist = s, d
		}
	}
	if bestDist < 0 || !closeEnough(bestDist, prefix) {
		return serviceInfo{}, false
	}
	return best, true
}

// distance computes Levenshtein distances by byte, reusing its two rows between calls.
type distance struct{ prev, cur []int }

func (d *distance) between(a, b string) int {
	if cap(d.prev) < len(b)+1 {
		d.prev, d.cur = make([]int, len(b)+1), make([]int, len(b)+1)
	}
	prev, cur := d.prev[:len(b)+1], d.cur[:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func abs(n int) int { return max(n, -n) }
