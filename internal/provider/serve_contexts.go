package provider

// Why a plan of many pairs used more memory than a plan of few: terraform-plugin-framework (v1.19.0) wraps
// the context of every request in context.WithCancel and keeps the cancel function until StopProvider,
// which Terraform does not send at the end of a plan. A cancel function holds its context, and that context
// its parents: the request's loggers and fields that terraform-plugin-go hangs on it (some 20 KiB a call).
// So every ReadResource, PlanResourceChange, UpgradeResourceState and the rest stayed live for the life of
// the process: 200 pairs, about 600 calls, some 13 MiB of live heap, which the garbage collector's pacing
// (GOGC=100) doubles in peak memory. The provider server below hands the framework a context that forgets
// the request's once the call has returned, so what the framework keeps is a few hundred bytes a call.

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// releasingServer is the framework's provider server, with the requests Terraform sends once per resource
// instance (or per function call) served under a releasingContext. The calls made once per process go
// through unchanged: what they keep does not grow with the configuration.
type releasingServer struct {
	tfprotov6.ProviderServer
}

// protocol6Server is the provider server Terraform talks to, in production (Serve) and in the acceptance
// tests alike: the framework's for p, releasing each request's context.
func protocol6Server(p provider.Provider) func() tfprotov6.ProviderServer {
	return releasingProviderServer(providerserver.NewProtocol6(p))
}

// releasingProviderServer wraps the provider server that newServer returns.
func releasingProviderServer(newServer func() tfprotov6.ProviderServer) func() tfprotov6.ProviderServer {
	return func() tfprotov6.ProviderServer { return releasingServer{newServer()} }
}

// served runs call with a context that stands for ctx until call returns, and for a cancelled context
// without any values after.
func served[Req, Resp any](ctx context.Context, req Req, call func(context.Context, Req) (Resp, error)) (Resp, error) {
	rc := &releasingContext{}
	rc.req.Store(&ctx)
	defer rc.req.Store(nil)
	return call(rc, req)
}

func (s releasingServer) ValidateResourceConfig(ctx context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return served(ctx, req, s.ProviderServer.ValidateResourceConfig)
}

func (s releasingServer) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	return served(ctx, req, s.ProviderServer.UpgradeResourceState)
}

func (s releasingServer) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return served(ctx, req, s.ProviderServer.ReadResource)
}

func (s releasingServer) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	return served(ctx, req, s.ProviderServer.PlanResourceChange)
}

func (s releasingServer) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	return served(ctx, req, s.ProviderServer.ApplyResourceChange)
}

func (s releasingServer) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	return served(ctx, req, s.ProviderServer.ImportResourceState)
}

func (s releasingServer) MoveResourceState(ctx context.Context, req *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	return served(ctx, req, s.ProviderServer.MoveResourceState)
}

func (s releasingServer) ValidateDataResourceConfig(ctx context.Context, req *tfprotov6.ValidateDataResourceConfigRequest) (*tfprotov6.ValidateDataResourceConfigResponse, error) {
	return served(ctx, req, s.ProviderServer.ValidateDataResourceConfig)
}

func (s releasingServer) ReadDataSource(ctx context.Context, req *tfprotov6.ReadDataSourceRequest) (*tfprotov6.ReadDataSourceResponse, error) {
	return served(ctx, req, s.ProviderServer.ReadDataSource)
}

func (s releasingServer) CallFunction(ctx context.Context, req *tfprotov6.CallFunctionRequest) (*tfprotov6.CallFunctionResponse, error) {
	return served(ctx, req, s.ProviderServer.CallFunction)
}

// releasingContext is one request's context while the request is served, and a cancelled context with no
// values once it has been: whatever keeps it (the framework keeps a child of it for the life of the
// process) no longer keeps the request's. Until then every method answers as the request's context does,
// so the framework's context.WithCancel attaches to the request's cancellation as usual.
type releasingContext struct {
	req atomic.Pointer[context.Context] // nil once the request has been served
}

// servedContext is what a releasingContext stands for after its request.
var servedContext = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

func (c *releasingContext) current() context.Context {
	if p := c.req.Load(); p != nil {
		return *p
	}
	return servedContext
}

func (c *releasingContext) Deadline() (time.Time, bool) { return c.current().Deadline() }
func (c *releasingContext) Done() <-chan struct{}       { return c.current().Done() }
func (c *releasingContext) Err() error                  { return c.current().Err() }
func (c *releasingContext) Value(key any) any           { return c.current().Value(key) }
