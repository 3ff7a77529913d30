package main

import "runtime/debug"

// releaseVersion is the version of this source tree.
const releaseVersion = "0.1.0"

// version returns the release plus the VCS revision the binary was built
// from, when the build recorded one.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return releaseVersion
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if rev == "" {
		return releaseVersion
	}
	return releaseVersion + " (" + rev + dirty + ")"
}
