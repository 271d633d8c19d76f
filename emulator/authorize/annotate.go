package authorize

// Annotate adds notes to the recorded decisions of a request: what the policy lint found in
// the document the request stored. Decisions are recorded before the handler runs, so the
// notes come after them: the log's readers see them, followers already sent the decision do not.
func (l *DecisionLog) Annotate(requestID string, notes []string) {
	if requestID == "" || len(notes) == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range l.ring {
		if e := &l.ring[i]; e.seq != 0 && e.d.RequestID == requestID {
			e.d.PolicyFindings = append(e.d.PolicyFindings, notes...)
		}
	}
}
