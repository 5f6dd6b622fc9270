#!/usr/bin/perl
# Writes a small MaxMind DB (GeoIP2-City layout) from a tmdns geolocation CSV, for tests/benches.
# Usage: csv_to_mmdb.pl IN.csv OUT.mmdb [4|6]
# IN.csv lines: network,country[,subdivision[,latitude,longitude]] (as geo/locator.h reads them).
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my ($in, $out, $version) = @ARGV;
die "usage: $0 IN.csv OUT.mmdb [4|6]\n" unless defined $out;
$version //= 6;

my %types = (
    country            => 'map',
    registered_country => 'map',
    iso_code           => 'utf8_string',
    subdivisions       => ['array', 'map'],
    location           => 'map',
    latitude           => 'double',
    longitude          => 'double',
);

my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version               => $version,
    record_size              => 28,
    database_type            => 'tmdns-Test-City',
    languages                => ['en'],
    description              => { en => 'tmdns test database' },
    map_key_type_callback    => sub { $types{ $_[0] } },
    # Tests use documentation and shared address space, which the writer drops by default.
    remove_reserved_networks => 0,
    # Real IPv6 databases alias ::ffff:0:0/96 and 2002::/16 to the IPv4 subtree; so do we.
    alias_ipv6_to_ipv4       => ($version == 6 ? 1 : 0),
);

open my $fh, '<', $in or die "$in: $!\n";
my @rows;
while (my $line = <$fh>) {
    chomp $line;
    $line =~ s/^\s+|\s+$//g;
    next if $line eq '' || $line =~ /^#/ || $line =~ /^network\b/i;
    my ($network, $country, $subdivision, $lat, $lon) = map { s/^\s+|\s+$//gr } split /,/, $line;
    $network .= ($network =~ /:/ ? '/128' : '/32') unless $network =~ m{/};
    my ($length) = $network =~ m{/(\d+)$};
    my %record;
    $record{country} = { iso_code => $country } if defined $country && $country ne '';
    $record{subdivisions} = [ { iso_code => $subdivision } ]
        if defined $subdivision && $subdivision ne '';
    $record{location} = { latitude => $lat + 0, longitude => $lon + 0 }
        if defined $lat && $lat ne '' && defined $lon && $lon ne '';
    push @rows, [ $length, $network, \%record ];
}
close $fh;

# Inner networks after the ones containing them, so the most specific one wins as in the CSV.
for my $row (sort { $a->[0] <=> $b->[0] } @rows) {
    $tree->insert_network($row->[1], $row->[2]);
}
open my $outfh, '>:raw', $out or die "$out: $!\n";
$tree->write_tree($outfh);
close $outfh;
