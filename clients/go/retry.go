package subshift

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// call runs fn under the call's deadline (ctx's, else fallback), retrying what may succeed later.
func (c *Client) call(ctx context.Context, method string, fallback time.Duration, fn func(context.Context) error) error {
	bounded, cancel, limit := withDeadline(ctx, fallback)
	defer cancel()
	return c.retrying(bounded, method, limit, fn)
}

// retrying retries UNAVAILABLE and RESOURCE_EXHAUSTED with doubling pauses (or the server's longer
// push-back) until the policy's attempts or ctx's deadline run out; every error comes back typed.
func (c *Client) retrying(ctx context.Context, method string, limit time.Duration, fn func(context.Context) error) error {
	policy := c.settings.retry
	backoff := policy.InitialBackoff
	for attempt := 1; ; attempt++ {
		err := apiError(method, limit, fn(ctx))
		var failed *APIError
		if err == nil || !errors.As(err, &failed) || !failed.Retryable() || attempt >= policy.MaxAttempts {
			return err
		}
		timer := time.NewTimer(max(backoff, failed.RetryDelay))
		select {
		case <-ctx.Done():
			timer.Stop()
			return contextError(method, limit, ctx, err)
		case <-timer.C:
		}
		backoff = min(2*backoff, policy.MaxBackoff)
	}
}

// contextError is the error of a call whose context ended while it waited; last is the error before.
func contextError(method string, limit time.Duration, ctx context.Context, last error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &DeadlineExceededError{Method: method, Limit: limit, Err: errors.Join(ctx.Err(), last)}
	}
	return fmt.Errorf("subshift: %s: %w (after %w)", method, ctx.Err(), last)
}
