#!/usr/bin/env bash
# Regenerate the hall screen's voice clips in center/static/voice/ (issue #13 point 6).
#
#   bash tools/make_voice.sh
#
# Words are spoken by espeak-ng's Mandarin voice (`cmn`, which reads Latin letters by their English names, as the
# halls do: "A" says "ei"); the chime is two soft tones made by sox. Every word clip is trimmed of the silence at
# both ends and normalised, then written as 16 kHz mono Ogg Vorbis (Chromium plays it; a few KB a clip). sox runs
# in repeatable mode (-R), so the same tools give the same bytes and the fingerprinted URLs do not change for
# nothing. Needs Debian's `espeak-ng` and `sox` with libsox-fmt-all (`apt-get install -y espeak-ng sox
# libsox-fmt-all`). The clip keys and file names are in manifest.json, which this script writes too.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/center/static/voice"
VOICE="${VOICE:-cmn}"
SPEED="${SPEED:-150}"     # words per minute: a little slower than espeak-ng's 175, for a large echoing hall
RATE=16000
QUALITY=3                 # Vorbis quality (-1..10): speech stays clear, the folder stays small

for tool in espeak-ng sox; do
  command -v "$tool" >/dev/null || { echo "make_voice: $tool is missing (apt-get install -y espeak-ng sox)" >&2; exit 1; }
done
sox -h | grep -qi 'vorbis' || { echo "make_voice: this sox cannot write Ogg Vorbis (apt-get install -y libsox-fmt-all)" >&2; exit 1; }

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$OUT"
rm -f "$OUT"/*.ogg

# key|file stem|what espeak-ng says
WORDS=(
  "0|0|零" "1|1|一" "2|2|二" "3|3|三" "4|4|四" "5|5|五" "6|6|六" "7|7|七" "8|8|八" "9|9|九" "十|shi|十"
  "请|qing|请" "号|hao|号" "到|dao|到" "窗口|chuangkou|窗口"
)
for letter in {A..Z}; do WORDS+=("$letter|$letter|$letter"); done

manifest=()
for entry in "${WORDS[@]}"; do
  IFS='|' read -r key stem text <<<"$entry"
  espeak-ng -v "$VOICE" -s "$SPEED" -w "$TMP/raw.wav" "$text"
  # silence: drop the start up to the first sound above 1 %, then the same from the end (reverse, again,
  # reverse); a 5 ms fade against clicks, 40 ms of air after the word, level normalised to -3 dBFS.
  # (two passes: the fade needs the length, which sox knows only once the silence is gone).
  sox -R "$TMP/raw.wav" -r "$RATE" -c 1 "$TMP/trimmed.wav" gain -3 silence 1 0.02 1% reverse silence 1 0.02 1% reverse
  sox -R "$TMP/trimmed.wav" -C "$QUALITY" "$OUT/$stem.ogg" fade t 0.005 0 0.005 pad 0 0.04 norm -3
  manifest+=("\"$key\": \"$stem.ogg\"")
done

# The chime: 880 Hz then 660 Hz, each rising in 20 ms and fading out softly, at a gentle level.
sox -R -n -r "$RATE" -c 1 "$TMP/hi.wav" synth 0.45 sine 880 fade q 0.02 0.45 0.35 vol 0.5
sox -R -n -r "$RATE" -c 1 "$TMP/lo.wav" synth 0.65 sine 660 fade q 0.02 0.65 0.5 vol 0.5
sox -R "$TMP/hi.wav" "$TMP/lo.wav" -C "$QUALITY" "$OUT/chime.ogg" pad 0 0.15 norm -6
manifest+=("\"chime\": \"chime.ogg\"")

{
  printf '{"clips": {\n'
  for i in "${!manifest[@]}"; do
    sep=","; [[ $i -eq $((${#manifest[@]} - 1)) ]] && sep=""
    printf '  %s%s\n' "${manifest[$i]}" "$sep"
  done
  printf '}}\n'
} >"$OUT/manifest.json"

echo "make_voice: $(ls "$OUT"/*.ogg | wc -l) clips, $(( $(cat "$OUT"/* | wc -c) / 1024 )) KB in ${OUT#"$ROOT"/}"
