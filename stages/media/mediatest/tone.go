package mediatest

import (
	"fmt"
	"math"
	"time"
)

// frameCount is the number of sample frames in dur at rate, rounded.
func frameCount(rate int, dur time.Duration) int64 {
	return int64(math.Round(dur.Seconds() * float64(rate)))
}

// checkFormat refuses formats no WAV or FLAC file can hold.
func checkFormat(kind string, rate, bits, channels int, dur time.Duration) error {
	switch {
	case rate <= 0:
		return fmt.Errorf("%s: sample rate %d Hz must be positive", kind, rate)
	case channels < 1 || channels > 8:
		return fmt.Errorf("%s: %d channels, expected 1 to 8", kind, channels)
	case dur < 0:
		return fmt.Errorf("%s: negative duration %v", kind, dur)
	case bits < 4 || bits > 32:
		return fmt.Errorf("%s: %d bits per sample, expected 4 to 32", kind, bits)
	}
	return nil
}

// tone returns frames × channels interleaved signed samples of a sine
// tone at half of full scale: 440 Hz on the first channel, a fifth higher
// on each next one, so channels differ and a swapped channel would show.
func tone(rate, bits, channels int, frames int64) []int32 {
	amp := 0.5 * float64(int64(1)<<(bits-1)-1)
	s := make([]int32, frames*int64(channels))
	for c := 0; c < channels; c++ {
		freq := 440 * math.Pow(1.5, float64(c))
		step := 2 * math.Pi * freq / float64(rate)
		for i := int64(0); i < frames; i++ {
			s[i*int64(channels)+int64(c)] = int32(math.Round(amp * math.Sin(step*float64(i))))
		}
	}
	return s
}
