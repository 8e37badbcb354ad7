package intake_test

import "github.com/ehraz/ehraz/services/geoip"

func geoipOpen(path string) (*geoip.DB, error) { return geoip.Open(path) }
