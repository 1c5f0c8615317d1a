package watch

// signature summarises a drop's tree: every name with its place, every
// file's size and mtime, and the counts. Two scans with equal signatures
// saw the same tree. It is order-independent (directory listing order may
// change between scans) and costs no allocation to build.
type signature struct {
	sum, xor uint64 // of one mixed hash per file or folder
	files    int
	dirs     int
	bytes    int64
}

// Kinds mixed into hashes so a file and a folder of one name differ.
const (
	kindFile uint64 = 0x9e3779b97f4a7c15
	kindDir  uint64 = 0xc2b2ae3d27d4eb4f
)

// mix is the splitmix64 finaliser: a cheap, well-spread 64-bit mix.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// nameHash is FNV-1a over a name, chained from its parent folder's hash so
// the same name in two folders hashes differently.
func nameHash(parent uint64, name string) uint64 {
	h := parent ^ 0xcbf29ce484222325
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= 0x100000001b3
	}
	return h
}

// addFile records one file (or symlink or other non-folder).
func (s *signature) addFile(parent uint64, name string, size, mtimeNs int64, mode uint32) {
	h := mix(nameHash(parent, name) ^ kindFile)
	h = mix(h ^ uint64(size))
	h = mix(h ^ uint64(mtimeNs))
	h = mix(h ^ uint64(mode))
	s.sum += h
	s.xor ^= h
	s.files++
	s.bytes += size
}

// addDir records one folder and returns the hash its children chain from.
func (s *signature) addDir(parent uint64, name string) uint64 {
	h := mix(nameHash(parent, name) ^ kindDir)
	s.sum += h
	s.xor ^= h
	s.dirs++
	return h
}
