package provider

import (
	"context"
	"runtime"
	"testing"
	"time"
	"weak"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// requestPayload stands for what terraform-plugin-go hangs on a request's context (loggers, fields).
type requestPayload [16 << 10]byte

type payloadKey struct{}

// retainedRequests serves calls requests through server, each with a context carrying its own payload and
// cancelled when the call returns, as gRPC does; then it counts the payloads still reachable.
func retainedRequests(t *testing.T, server tfprotov6.ProviderServer, calls int, call func(context.Context, tfprotov6.ProviderServer)) int {
	t.Helper()
	payloads := make([]weak.Pointer[requestPayload], calls)
	for i := range calls {
		p := new(requestPayload)
		payloads[i] = weak.Make(p)
		ctx, cancel := context.WithCancel(context.WithValue(t.Context(), payloadKey{}, p))
		call(ctx, server)
		cancel()
	}
	runtime.GC()
	runtime.GC()
	retained := 0
	for _, w := range payloads {
		if w.Value() != nil {
			retained++
		}
	}
	runtime.KeepAlive(server) // as Terraform's running provider keeps it
	return retained
}

// TestServedRequestsAreReleased guards the memory of big plans: after a request is served, nothing in the
// provider process keeps its context, so a plan's live heap does not grow with the number of pairs.
func TestServedRequestsAreReleased(t *testing.T) {
	const calls = 50
	typeName := "protectedmedia_bucket_pair"
	requests := map[string]func(context.Context, tfprotov6.ProviderServer){
		"ValidateResourceConfig": func(ctx context.Context, s tfprotov6.ProviderServer) {
			_, _ = s.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: typeName})
		},
		"UpgradeResourceState": func(ctx context.Context, s tfprotov6.ProviderServer) {
			_, _ = s.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{TypeName: typeName})
		},
		"ReadResource": func(ctx context.Context, s tfprotov6.ProviderServer) {
			_, _ = s.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: typeName})
		},
		"PlanResourceChange": func(ctx context.Context, s tfprotov6.ProviderServer) {
			_, _ = s.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: typeName})
		},
		"ApplyResourceChange": func(ctx context.Context, s tfprotov6.ProviderServer) {
			_, _ = s.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{TypeName: typeName})
		},
		"ImportResourceState": func(ctx context.Context, s tfprotov6.ProviderServer) {
			_, _ = s.ImportResourceState(ctx, &tfprotov6.ImportResourceStateRequest{TypeName: typeName})
		},
		"MoveResourceState": func(ctx context.Context, s tfprotov6.ProviderServer) {
			_, _ = s.MoveResourceState(ctx, &tfprotov6.MoveResourceStateRequest{TargetTypeName: typeName})
		},
		"ValidateDataResourceConfig": func(ctx context.Context, s tfprotov6.ProviderServer) {
			_, _ = s.ValidateDataResourceConfig(ctx, &tfprotov6.ValidateDataResourceConfigRequest{TypeName: "protectedmedia_media_changes"})
		},
		"ReadDataSource": func(ctx context.Context, s tfprotov6.ProviderServer) {
			_, _ = s.ReadDataSource(ctx, &tfprotov6.ReadDataSourceRequest{TypeName: "protectedmedia_media_changes"})
		},
		"CallFunction": func(ctx context.Context, s tfprotov6.ProviderServer) {
			_, _ = s.CallFunction(ctx, &tfprotov6.CallFunctionRequest{Name: "django_storages"})
		},
	}
	for name, call := range requests {
		t.Run(name, func(t *testing.T) {
			// The framework's own server keeps every request: the reason for releasingServer. Should a
			// later framework stop doing so, this says the wrapper can go.
			if kept := retainedRequests(t, providerserver.NewProtocol6(New("test")())(), calls, call); kept < calls {
				t.Logf("the framework's server alone kept %d of %d requests: releasingServer may no longer be needed", kept, calls)
			}
			server := protocol6Server(New("test")())()
			if kept := retainedRequests(t, server, calls, call); kept > 0 {
				t.Errorf("%d of %d served requests are still reachable: a plan's memory grows with its pairs", kept, calls)
			}
		})
	}
}

// TestReleasingContextWhileServed checks that during the call the context is the request's: its values,
// deadline and cancellation; and after it, cancelled and without values.
func TestReleasingContextWhileServed(t *testing.T) {
	deadline := time.Now().Add(time.Hour)
	parent, cancel := context.WithDeadline(context.WithValue(t.Context(), payloadKey{}, "v"), deadline)
	var during *releasingContext
	_, _ = served(parent, 0, func(ctx context.Context, _ int) (int, error) {
		during = ctx.(*releasingContext) //nolint:forcetypeassert // served's own type; a panic here is the test failing
		if got := ctx.Value(payloadKey{}); got != "v" {
			t.Errorf("Value during the call = %v, want the request's", got)
		}
		if d, ok := ctx.Deadline(); !ok || !d.Equal(deadline) {
			t.Errorf("Deadline during the call = %v %v, want the request's", d, ok)
		}
		child, stop := context.WithCancel(ctx)
		defer stop()
		cancel()
		select {
		case <-child.Done():
		case <-time.After(5 * time.Second):
			t.Error("cancelling the request did not cancel a context derived during the call")
		}
		return 0, nil
	})
	if during.Value(payloadKey{}) != nil {
		t.Error("the context keeps the request's values after the call")
	}
	if during.Err() == nil {
		t.Error("the context is not cancelled after the call")
	}
	select {
	case <-during.Done():
	default:
		t.Error("Done is not closed after the call")
	}
}
