package media

import (
	"encoding/binary"
	"fmt"
	"io"
)

// FLAC metadata limits: STREAMINFO is always 34 bytes; a crafted file
// could hold millions of tiny blocks, so the walk stops at a bound no
// real file reaches.
const (
	streamInfoLen      = 34
	maxFLACMetaBlocks  = 1024
	flacBlockInvalid   = 127
	flacStreamInfoType = 0
)

// ReadFLAC reads the header of a FLAC file of size bytes: an optional
// ID3v2 tag, the fLaC marker, STREAMINFO (sample rate, channels, bits,
// total samples), then the other metadata block headers (their bodies are
// skipped, not read) up to the first audio frame, whose sync code it
// checks, and the last frame in the file's tail, to tell a copy cut short
// (see checkFLACEnd). Audio frames are never decoded.
func ReadFLAC(r io.ReaderAt, size int64) (AudioInfo, error) {
	cr := &countingReaderAt{r: r}
	info, err := readFLAC(cr, size)
	if err != nil {
		return AudioInfo{}, err
	}
	info.BytesRead = cr.n
	return info, nil
}

func readFLAC(r io.ReaderAt, size int64) (AudioInfo, error) {
	const name = "FLAC"
	ioErr := func(err error) error { return fmt.Errorf("%s: %w", name, err) }

	off, tagged, err := skipID3v2(r, size)
	if err != nil {
		return AudioInfo{}, err
	}
	magic, err := readUpTo(r, off, 4, size)
	if err != nil {
		return AudioInfo{}, ioErr(err)
	}
	if string(magic) != "fLaC" {
		switch {
		case tagged && len(magic) >= 2 && magic[0] == 0xFF && magic[1]&0xE0 == 0xE0:
			return AudioInfo{}, unsupported(name, "file is MPEG audio (MP3) with an ID3 tag; deliver WAV or FLAC")
		case tagged:
			return AudioInfo{}, corrupt(name, "no fLaC marker after the ID3v2 tag (at byte %d)", off)
		case len(magic) < 4:
			return AudioInfo{}, truncated(name, "file is %d bytes, too short for the fLaC marker", size)
		}
		return AudioInfo{}, corrupt(name, "no fLaC marker (the file starts with % X)", magic)
	}
	off += 4

	hdr, err := readUpTo(r, off, 4+streamInfoLen, size)
	if err != nil {
		return AudioInfo{}, ioErr(err)
	}
	if len(hdr) < 4 {
		return AudioInfo{}, truncated(name, "file ends before the STREAMINFO block header")
	}
	last, typ, length := hdr[0]&0x80 != 0, hdr[0]&0x7F, int64(hdr[1])<<16|int64(hdr[2])<<8|int64(hdr[3])
	if typ != flacStreamInfoType {
		return AudioInfo{}, corrupt(name, "first metadata block is type %d, expected STREAMINFO (0)", typ)
	}
	if length != streamInfoLen {
		return AudioInfo{}, corrupt(name, "STREAMINFO is %d bytes, expected %d", length, streamInfoLen)
	}
	if got := len(hdr) - 4; got < streamInfoLen {
		return AudioInfo{}, truncated(name, "STREAMINFO truncated (got %d of %d bytes)", got, streamInfoLen)
	}
	info, err := parseStreamInfo(hdr[4:])
	if err != nil {
		return AudioInfo{}, err
	}
	off += 4 + streamInfoLen

	for n := 1; !last; n++ {
		if n > maxFLACMetaBlocks {
			return AudioInfo{}, corrupt(name, "more than %d metadata blocks", maxFLACMetaBlocks)
		}
		h, err := readUpTo(r, off, 4, size)
		if err != nil {
			return AudioInfo{}, ioErr(err)
		}
		if len(h) < 4 {
			return AudioInfo{}, truncated(name, "file ends inside the metadata, before block %d", n+1)
		}
		last, typ, length = h[0]&0x80 != 0, h[0]&0x7F, int64(h[1])<<16|int64(h[2])<<8|int64(h[3])
		switch {
		case typ == flacStreamInfoType:
			return AudioInfo{}, corrupt(name, "second STREAMINFO block (metadata block %d)", n+1)
		case typ == flacBlockInvalid:
			return AudioInfo{}, corrupt(name, "metadata block %d has the invalid type 127", n+1)
		case off+4+length > size:
			return AudioInfo{}, truncated(name, "metadata block %d (%s, %d bytes) runs past the end of the file", n+1, flacBlockName(typ), length)
		}
		off += 4 + length
	}

	sync, err := readUpTo(r, off, 2, size)
	if err != nil {
		return AudioInfo{}, ioErr(err)
	}
	switch {
	case len(sync) < 2:
		return AudioInfo{}, truncated(name, "no audio frames after the metadata (file ends at byte %d)", size)
	case sync[0] != 0xFF || sync[1]&0xFE != 0xF8:
		return AudioInfo{}, corrupt(name, "no frame sync code where the first audio frame should start (byte %d)", off)
	}
	si := hdr[4:]
	blockSize := int(binary.BigEndian.Uint16(si[2:4])) // fixed-blocksize streams: every frame but the last
	maxFrame := int(si[7])<<16 | int(si[8])<<8 | int(si[9])
	if err := checkFLACEnd(r, size, off, info, blockSize, maxFrame); err != nil {
		return AudioInfo{}, err
	}
	return info, nil
}

// parseStreamInfo decodes the 34-byte STREAMINFO body.
func parseStreamInfo(b []byte) (AudioInfo, error) {
	const name = "FLAC"
	be := binary.BigEndian
	minBlock, maxBlock := be.Uint16(b[0:2]), be.Uint16(b[2:4])
	packed := be.Uint64(b[10:18]) // rate:20 channels-1:3 bits-1:5 total:36
	rate := int(packed >> 44)
	channels := int(packed>>41&0x7) + 1
	bits := int(packed>>36&0x1F) + 1
	total := int64(packed & (1<<36 - 1))
	switch {
	case rate == 0:
		return AudioInfo{}, corrupt(name, "STREAMINFO says a sample rate of 0 Hz")
	case bits < 4:
		return AudioInfo{}, corrupt(name, "STREAMINFO says %d bits per sample, below FLAC's minimum of 4", bits)
	case maxBlock < minBlock:
		return AudioInfo{}, corrupt(name, "STREAMINFO maximum block size %d is below the minimum %d", maxBlock, minBlock)
	case total == 0:
		return AudioInfo{}, corrupt(name, "STREAMINFO does not give the number of samples, so the duration is unknown; re-encode the file with a standard FLAC encoder")
	}
	d, ok := duration(total, rate)
	if !ok {
		return AudioInfo{}, corrupt(name, "STREAMINFO duration (%d samples at %d Hz) is out of range", total, rate)
	}
	return AudioInfo{
		Format:        "FLAC",
		SampleRate:    rate,
		BitsPerSample: bits,
		Channels:      channels,
		Frames:        total,
		Duration:      d,
	}, nil
}

// skipID3v2 returns where the data after an ID3v2 tag starts (0 when
// there is none) and whether there was one.
func skipID3v2(r io.ReaderAt, size int64) (int64, bool, error) {
	h, err := readUpTo(r, 0, 10, size)
	if err != nil {
		return 0, false, fmt.Errorf("FLAC: %w", err)
	}
	if len(h) < 3 || string(h[:3]) != "ID3" {
		return 0, false, nil
	}
	if len(h) < 10 {
		return 0, true, truncated("FLAC", "ID3v2 tag header truncated")
	}
	var n int64
	for _, c := range h[6:10] {
		if c&0x80 != 0 {
			return 0, true, corrupt("FLAC", "ID3v2 tag size is not a valid (syncsafe) number")
		}
		n = n<<7 | int64(c)
	}
	end := 10 + n
	if h[5]&0x10 != 0 {
		end += 10 // footer
	}
	if end >= size {
		return 0, true, truncated("FLAC", "ID3v2 tag (%d bytes) runs to the end of the file: no audio after it", end)
	}
	return end, true, nil
}

func flacBlockName(typ byte) string {
	names := []string{"STREAMINFO", "PADDING", "APPLICATION", "SEEKTABLE", "VORBIS_COMMENT", "CUESHEET", "PICTURE"}
	if int(typ) < len(names) {
		return names[typ]
	}
	return fmt.Sprintf("type %d", typ)
}
