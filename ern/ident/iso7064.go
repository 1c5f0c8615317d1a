package ident

// ISO 7064 check character systems used by GRid, DPID (Mod 37,36) and
// ISNI (Mod 11-2).

const alnum36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

func alnumValue(c byte) int {
	switch {
	case isDigit(c):
		return int(c - '0')
	case isUpper(c):
		return int(c-'A') + 10
	}
	return -1
}

// mod37_36 computes the ISO 7064 Mod 37,36 (hybrid) check character of s,
// which must hold only 0-9 and A-Z.
func mod37_36(s string) byte {
	const m = 36
	p := m
	for i := 0; i < len(s); i++ {
		sum := (p + alnumValue(s[i])) % m
		if sum == 0 {
			sum = m
		}
		p = (sum * 2) % (m + 1)
	}
	return alnum36[(m+1-p)%m]
}

// mod11_2 computes the ISO 7064 Mod 11-2 check character (0-9 or X) of a
// string of digits.
func mod11_2(digits string) byte {
	total := 0
	for i := 0; i < len(digits); i++ {
		total = (total + int(digits[i]-'0')) * 2
	}
	r := (12 - total%11) % 11
	if r == 10 {
		return 'X'
	}
	return byte('0' + r)
}
