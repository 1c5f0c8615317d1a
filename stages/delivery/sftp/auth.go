package sftp

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/crypto/ssh"
)

// authMethods reads the credentials named in o: a private key (decrypted
// with its passphrase if needed) first, then a password offered both as
// "password" and "keyboard-interactive" (servers use either). Errors name
// the file or variable, never its content.
func authMethods(o Options) ([]ssh.AuthMethod, error) {
	var methods []ssh.AuthMethod
	if o.KeyFile != "" {
		signer, err := loadKey(o)
		if err != nil {
			return nil, err
		}
		methods = append(methods, ssh.PublicKeys(signer))
	}
	if o.PasswordFile != "" || o.PasswordEnv != "" {
		password, err := secret("password", o.PasswordFile, o.PasswordEnv)
		if err != nil {
			return nil, err
		}
		methods = append(methods,
			ssh.Password(password),
			ssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
				// Only a single password prompt is answered: anything
				// else (a password change, an OTP) needs a human.
				if len(questions) == 0 {
					return nil, nil
				}
				if len(questions) != 1 {
					return nil, errors.New("server asked more than a password")
				}
				return []string{password}, nil
			}))
	}
	return methods, nil
}

// loadKey parses o.KeyFile, decrypting it if it has a passphrase.
func loadKey(o Options) (ssh.Signer, error) {
	pem, err := os.ReadFile(o.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("sftp: read key file: %w", err)
	}
	signer, err := ssh.ParsePrivateKey(pem)
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		if o.KeyPassphraseFile == "" && o.KeyPassphraseEnv == "" {
			return nil, fmt.Errorf("sftp: key file %s is encrypted: set a key passphrase file or environment variable", o.KeyFile)
		}
		passphrase, perr := secret("key passphrase", o.KeyPassphraseFile, o.KeyPassphraseEnv)
		if perr != nil {
			return nil, perr
		}
		signer, err = ssh.ParsePrivateKeyWithPassphrase(pem, []byte(passphrase))
	}
	if err != nil {
		return nil, fmt.Errorf("sftp: key file %s: %w", o.KeyFile, err)
	}
	return signer, nil
}

// secret reads a secret from file (trailing newline removed) or, if file
// is empty, from the environment variable env.
func secret(what, file, env string) (string, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("sftp: read %s file: %w", what, err)
		}
		s := strings.TrimRight(string(b), "\r\n")
		if s == "" {
			return "", fmt.Errorf("sftp: %s file %s is empty", what, file)
		}
		return s, nil
	}
	s, ok := os.LookupEnv(env)
	if !ok || s == "" {
		return "", fmt.Errorf("sftp: %s environment variable %s is not set", what, env)
	}
	return s, nil
}
