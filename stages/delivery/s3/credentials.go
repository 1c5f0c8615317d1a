package s3

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Credential sources.
const (
	// SourceChain is the standard AWS chain: environment, shared
	// credentials and config files (AWS_PROFILE), web identity, ECS and
	// EC2 instance roles, refreshed as they expire.
	SourceChain = "chain"
	// SourceEnv reads the keys from the environment variables named.
	SourceEnv = "env"
	// SourceFile reads a profile of a file in the AWS shared credentials
	// format ([profile] aws_access_key_id = …).
	SourceFile = "file"
)

// Credentials says where the access keys come from; it never holds them.
type Credentials struct {
	Source string // chain (default), env, file
	// Env: the variables holding the keys; defaults AWS_ACCESS_KEY_ID,
	// AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (optional).
	AccessKeyEnv, SecretKeyEnv, SessionTokenEnv string
	// File: the credentials file and its profile (default "default").
	File, Profile string
}

func (c Credentials) provider(ctx context.Context) (aws.CredentialsProvider, error) {
	switch c.Source {
	case "", SourceChain:
		var opts []func(*awsconfig.LoadOptions) error
		if c.Profile != "" {
			opts = append(opts, awsconfig.WithSharedConfigProfile(c.Profile))
		}
		cfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
		if err != nil {
			return nil, fmt.Errorf("the standard AWS chain: %w", err)
		}
		if cfg.Credentials == nil {
			return nil, errors.New("the standard AWS chain found no credentials")
		}
		return cfg.Credentials, nil
	case SourceEnv:
		ak, sk, tk := or(c.AccessKeyEnv, "AWS_ACCESS_KEY_ID"), or(c.SecretKeyEnv, "AWS_SECRET_ACCESS_KEY"), or(c.SessionTokenEnv, "AWS_SESSION_TOKEN")
		id, secret := os.Getenv(ak), os.Getenv(sk)
		if id == "" || secret == "" {
			return nil, fmt.Errorf("environment variables %s and %s must both be set", ak, sk)
		}
		return credentials.NewStaticCredentialsProvider(id, secret, os.Getenv(tk)), nil
	case SourceFile:
		if c.File == "" {
			return nil, errors.New("credentials_file is required with credentials = \"file\"")
		}
		profile := or(c.Profile, "default")
		sc, err := awsconfig.LoadSharedConfigProfile(ctx, profile, func(o *awsconfig.LoadSharedConfigOptions) {
			o.CredentialsFiles = []string{c.File}
			o.ConfigFiles = []string{}
		})
		if err != nil {
			return nil, fmt.Errorf("profile %q of %s: %w", profile, c.File, err)
		}
		if !sc.Credentials.HasKeys() {
			return nil, fmt.Errorf("profile %q of %s has no aws_access_key_id and aws_secret_access_key", profile, c.File)
		}
		return credentials.StaticCredentialsProvider{Value: sc.Credentials}, nil
	}
	return nil, fmt.Errorf("source %q: want chain, env or file", c.Source)
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
