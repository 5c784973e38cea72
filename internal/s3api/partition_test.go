package s3api

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Every partition the SDK in go.mod knows, with the regions the former hand-written rule covered: their ARNs
// and host names must not change for pairs that already exist.
func TestPartitionOf(t *testing.T) {
	tests := []struct {
		region, id, dnsSuffix string
	}{
		{"us-east-1", "aws", "amazonaws.com"},
		{"eu-west-1", "aws", "amazonaws.com"},
		{"ap-southeast-7", "aws", "amazonaws.com"},
		{"cn-north-1", "aws-cn", "amazonaws.com.cn"},
		{"cn-northwest-1", "aws-cn", "amazonaws.com.cn"},
		{"us-gov-west-1", "aws-us-gov", "amazonaws.com"},
		{"us-gov-east-1", "aws-us-gov", "amazonaws.com"},
		{"us-iso-east-1", "aws-iso", "c2s.ic.gov"},
		{"us-iso-west-1", "aws-iso", "c2s.ic.gov"},
		{"us-isob-east-1", "aws-iso-b", "sc2s.sgov.gov"},
		{"eu-isoe-west-1", "aws-iso-e", "cloud.adc-e.uk"},
		{"us-isof-south-1", "aws-iso-f", "csp.hci.ic.gov"},
		{"us-isof-east-1", "aws-iso-f", "csp.hci.ic.gov"},
		{"eusc-de-east-1", "aws-eusc", "amazonaws.eu"},
		// Regions the SDK does not list yet belong to the partition whose pattern they match.
		{"cn-south-7", "aws-cn", "amazonaws.com.cn"},
		{"us-gov-north-3", "aws-us-gov", "amazonaws.com"},
		{"eusc-de-west-2", "aws-eusc", "amazonaws.eu"},
		{"us-isob-west-9", "aws-iso-b", "sc2s.sgov.gov"},
		{"xx-newregion-1", "aws", "amazonaws.com"},
		// Region names of S3-compatible servers, and no region at all: the default partition.
		{"garage", "aws", "amazonaws.com"},
		{"my_region", "aws", "amazonaws.com"},
		{"Europe", "aws", "amazonaws.com"},
		{"", "aws", "amazonaws.com"},
		{"aws-global", "aws", "amazonaws.com"},
	}
	for _, tt := range tests {
		t.Run(tt.region, func(t *testing.T) {
			got := PartitionOf(tt.region)
			if got != (Partition{ID: tt.id, DNSSuffix: tt.dnsSuffix}) {
				t.Errorf("PartitionOf(%q) = %+v, want {ID:%s DNSSuffix:%s}", tt.region, got, tt.id, tt.dnsSuffix)
			}
		})
	}
}

// The partition comes from the SDK's endpoint resolver and the hosts from its endpoint rules, which the
// client sends requests through: both must agree on where a region's S3 lives.
func TestPartitionAgreesWithEndpointRules(t *testing.T) {
	for _, region := range []string{"us-east-1", "cn-north-1", "us-gov-west-1", "us-iso-east-1", "us-isob-east-1", "eu-isoe-west-1", "us-isof-south-1", "eusc-de-east-1"} {
		hosts := awsS3Hosts(region)
		if want := "s3." + region + "." + PartitionOf(region).DNSSuffix; len(hosts) == 0 || hosts[0] != want {
			t.Errorf("%s: the endpoint rules give %v, want %s first", region, hosts, want)
		}
	}
}

func TestAWSEndpointRegion(t *testing.T) {
	tests := []struct {
		name, endpoint, region string // region: the configured one
		want                   string // the region served; "" when the endpoint is not AWS's
	}{
		{"regional", "https://s3.eu-west-1.amazonaws.com", "eu-west-1", "eu-west-1"},
		{"regional, no region configured", "https://s3.eu-west-1.amazonaws.com", "", "eu-west-1"},
		{"regional with port and slash", "https://s3.eu-west-1.amazonaws.com:443/", "eu-west-1", "eu-west-1"},
		{"upper case", "https://S3.EU-WEST-1.AMAZONAWS.COM", "eu-west-1", "eu-west-1"},
		{"FIPS", "https://s3-fips.us-east-2.amazonaws.com", "us-east-2", "us-east-2"},
		{"FIPS gov cloud", "https://s3-fips.us-gov-west-1.amazonaws.com", "", "us-gov-west-1"},
		{"dual-stack", "https://s3.dualstack.ap-southeast-2.amazonaws.com", "ap-southeast-2", "ap-southeast-2"},
		{"FIPS dual-stack", "https://s3-fips.dualstack.us-west-2.amazonaws.com", "us-west-2", "us-west-2"},
		{"global, us-east-1", "https://s3.amazonaws.com", "us-east-1", "us-east-1"},
		{"global, no region configured", "https://s3.amazonaws.com", "", "us-east-1"},
		{"VPC interface endpoint", "https://bucket.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com", "us-east-1", "us-east-1"},
		{"VPC interface endpoint without bucket label", "https://vpce-0a1b2c3d4e5f6a7b8-abcdefgh.s3.eu-central-1.vpce.amazonaws.com", "", "eu-central-1"},
		{"China", "https://s3.cn-north-1.amazonaws.com.cn", "cn-north-1", "cn-north-1"},
		{"China dual-stack", "https://s3.dualstack.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1", "cn-northwest-1"},
		{"China VPC interface endpoint", "https://bucket.vpce-0123abcd.s3.cn-north-1.vpce.amazonaws.com.cn", "cn-north-1", "cn-north-1"},
		{"ISO", "https://s3.us-iso-east-1.c2s.ic.gov", "us-iso-east-1", "us-iso-east-1"},
		{"ISO-B", "https://s3.us-isob-east-1.sc2s.sgov.gov", "", "us-isob-east-1"},
		{"ISO-E", "https://s3.eu-isoe-west-1.cloud.adc-e.uk", "", "eu-isoe-west-1"},
		{"ISO-F", "https://s3.us-isof-south-1.csp.hci.ic.gov", "", "us-isof-south-1"},
		{"European Sovereign Cloud", "https://s3.eusc-de-east-1.amazonaws.eu", "eusc-de-east-1", "eusc-de-east-1"},
		{"plain http still AWS", "http://s3.eu-west-1.amazonaws.com", "eu-west-1", "eu-west-1"},

		{"local server", "http://127.0.0.1:9000", "us-east-1", ""},
		{"S3-compatible service", "https://s3.example.com", "us-east-1", ""},
		{"load balancer under amazonaws.com", "https://minio-1234.eu-west-1.elb.amazonaws.com", "eu-west-1", ""},
		{"EC2 host under amazonaws.com", "https://ec2-198-51-100-1.compute-1.amazonaws.com:9000", "us-east-1", ""},
		{"lookalike domain", "https://s3.eu-west-1.amazonaws.com.example.net", "eu-west-1", ""},
		{"legacy dash-style name", "https://s3-eu-west-1.amazonaws.com", "eu-west-1", ""},
		{"FIPS where the partition has none", "https://s3-fips.cn-north-1.amazonaws.com.cn", "cn-north-1", ""},
		{"China region under the commercial suffix", "https://s3.cn-north-1.amazonaws.com", "cn-north-1", ""},
		{"VPC endpoint under the wrong suffix", "https://bucket.vpce-0123abcd.s3.us-east-1.vpce.amazonaws.com.cn", "us-east-1", ""},
		{"VPC endpoint without endpoint ID", "https://bucket.s3.us-east-1.vpce.amazonaws.com", "us-east-1", ""},
		{"global with another region configured", "https://s3.amazonaws.com", "eu-west-1", ""},
		{"not http", "ftp://s3.eu-west-1.amazonaws.com", "eu-west-1", ""},
		{"no scheme", "s3.eu-west-1.amazonaws.com", "eu-west-1", ""},
		{"none", "", "eu-west-1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := AWSEndpointRegion(tt.endpoint, tt.region)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("AWSEndpointRegion(%q, %q) = %q, %v; want %q, %v", tt.endpoint, tt.region, got, ok, tt.want, tt.want != "")
			}
		})
	}
}

// New reads AWS's own endpoints as AWS: virtual-hosted addressing unless told otherwise, the region from the
// endpoint when none is configured, and no endpoint for the clients of the buckets to be told about.
func TestNewWithAWSEndpoint(t *testing.T) {
	tests := []struct {
		name          string
		cfg           Config
		env           string // AWS_ENDPOINT_URL_S3
		wantRegion    string
		wantAWS       bool
		wantPathStyle bool
	}{
		{"regional", Config{Endpoint: "https://s3.eu-west-1.amazonaws.com", Region: "eu-west-1"}, "", "eu-west-1", true, false},
		{"FIPS, region from the endpoint", Config{Endpoint: "https://s3-fips.us-gov-west-1.amazonaws.com"}, "", "us-gov-west-1", true, false},
		{"dual-stack from the environment", Config{Region: "ap-southeast-2"}, "https://s3.dualstack.ap-southeast-2.amazonaws.com", "ap-southeast-2", true, false},
		{"VPC interface endpoint", Config{Endpoint: "https://bucket.vpce-1a2b3c4d-5e6f.s3.us-east-1.vpce.amazonaws.com", Region: "us-east-1"}, "", "us-east-1", true, false},
		{"China", Config{Endpoint: "https://s3.cn-north-1.amazonaws.com.cn"}, "", "cn-north-1", true, false},
		{"path style asked for", Config{Endpoint: "https://s3.eu-west-1.amazonaws.com", Region: "eu-west-1", UsePathStyle: aws.Bool(true)}, "", "eu-west-1", true, true},
		{"S3-compatible server", Config{Endpoint: testEndpoint}, "", "us-east-1", false, true},
		{"S3-compatible server, virtual-hosted", Config{Endpoint: testEndpoint, UsePathStyle: aws.Bool(false)}, "", "us-east-1", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateAWS(t)
			t.Setenv(EndpointEnv, tt.env)
			cfg := tt.cfg
			cfg.AccessKey, cfg.SecretKey = testAccessKey, testSecretKey
			c, err := New(t.Context(), cfg)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			if c.Region != tt.wantRegion || c.AWSEndpoint != tt.wantAWS || c.PathStyle != tt.wantPathStyle {
				t.Errorf("Region, AWSEndpoint, PathStyle = %q, %v, %v; want %q, %v, %v",
					c.Region, c.AWSEndpoint, c.PathStyle, tt.wantRegion, tt.wantAWS, tt.wantPathStyle)
			}
			if o := c.S3.Options(); o.Region != tt.wantRegion || o.UsePathStyle != tt.wantPathStyle {
				t.Errorf("S3 options region, path style = %q, %v; want %q, %v", o.Region, o.UsePathStyle, tt.wantRegion, tt.wantPathStyle)
			}
			wantCustom := c.Endpoint
			if tt.wantAWS {
				wantCustom = ""
			}
			if got := c.CustomEndpoint(); got != wantCustom {
				t.Errorf("CustomEndpoint() = %q, want %q", got, wantCustom)
			}
		})
	}
}
