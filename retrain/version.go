package retrain

import (
	"fmt"
	"regexp"
	"strconv"
)

var versionNum = regexp.MustCompile(`^(.*-v)(\d+)$`)

// NextVersion returns the version after the highest "<family>-vN" among
// versions, in the family of base ("card-embed-v1" → "card-embed-v2").
func NextVersion(base string, versions []string) string {
	m := versionNum.FindStringSubmatch(base)
	family, n := base+"-v", 1
	if m != nil {
		family = m[1]
		n, _ = strconv.Atoi(m[2])
	}
	for _, v := range versions {
		if vm := versionNum.FindStringSubmatch(v); vm != nil && vm[1] == family {
			if k, _ := strconv.Atoi(vm[2]); k > n {
				n = k
			}
		}
	}
	return fmt.Sprintf("%s%d", family, n+1)
}
