#!/usr/bin/env bash
# build-corpus.sh builds the labelled answering-machine-detection corpus.
#
# Usage: test/amd/build-corpus.sh [OUTDIR] [SEED]
#   OUTDIR  default test/amd/out (git-ignored)
#   SEED    default 4 (the corpus is deterministic for a given seed)
#
# Voices come from Debian's asterisk-core-sounds-en-wav and
# asterisk-core-sounds-es-wav (unpacked with apt-get download + dpkg -x, not
# installed) and from espeak-ng; tones and line noise are made with sox.
# Environment: N_HUMAN, N_MACHINE, N_FAX, N_SIT, N_SILENCE (counts) and
# AMD_NOISE (line-noise peak levels in dBFS to draw from, "none" for none),
# AMD_VOICES and AMD_GREET_VOICES (espeak-ng voices of the people and of the
# synthesised greetings; a voice whose name starts with "en" reads English
# text, any other Spanish).
# Writes OUTDIR/wav/*.wav and OUTDIR/labels.csv with the columns
#   file,label,first_utterance_end_ms,beep_ms,sit
# (times in ms from the start of the file; empty where not applicable).
# Nothing here is committed.
set -euo pipefail

OUT=${1:-test/amd/out}
SEED=${2:-4}
N_HUMAN=${N_HUMAN:-300}
N_MACHINE=${N_MACHINE:-200}
N_FAX=${N_FAX:-40}
N_SIT=${N_SIT:-50}
N_SILENCE=${N_SILENCE:-30}

for tool in sox soxi espeak-ng apt-get dpkg; do
	command -v "$tool" >/dev/null || { echo "build-corpus: $tool is missing (apt-get install -y sox libsox-fmt-all espeak-ng)" >&2; exit 1; }
done

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK="$OUT/work"
rm -rf "$OUT/wav" "$WORK"
mkdir -p "$OUT/wav" "$WORK/pkgs" "$WORK/pool/word" "$WORK/pool/long" "$WORK/pool/greet" "$WORK/pool/ann" "$WORK/tmp"
RANDOM=$SEED

# ---- voices -----------------------------------------------------------------
(cd "$WORK/pkgs" && apt-get download asterisk-core-sounds-en-wav asterisk-core-sounds-es-wav >/dev/null 2>&1) || {
	echo "build-corpus: apt-get download failed (run apt-get update?)" >&2
	exit 1
}
for deb in "$WORK"/pkgs/*.deb; do dpkg -x "$deb" "$WORK/pkgs/x"; done
SND="$WORK/pkgs/x/usr/share/asterisk/sounds"
EN="$SND/en_US_f_Allison"
ES="$SND/es_MX_f_Allison"
[ -d "$EN" ] && [ -d "$ES" ] || { echo "build-corpus: unexpected package layout under $SND" >&2; exit 1; }

# trim DST SRC [sox effects...]: 8 kHz mono 16-bit, leading/trailing silence cut.
trim() {
	local dst=$1 src=$2
	shift 2
	sox "$src" -r 8000 -c 1 -b 16 -e signed "$dst" "$@" silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse
}
n=0
# Short human answers recorded by a person: single words.
for f in "$EN/hello.wav" "$EN/vm-no.wav" "$EN/goodbye.wav" "$ES/vm-no.wav" "$EN"/digits/{1,2,3,4,5,8,9}.wav "$ES"/digits/{1,2,3,4,6,7}.wav; do
	[ -f "$f" ] && trim "$WORK/pool/word/a$((n++)).wav" "$f"
done
# Synthesised human answers: other voices, Spanish and English.
read -r -a VOICES <<<"${AMD_VOICES:-es es-419 es-419+m3 es+f2 es-419+f4 es+m1 en-us en-us+f3 en+m2 pt-br}"
WORDS_ES=("¿Aló?" "Aló" "¿Bueno?" "Bueno" "Diga" "¿Sí?" "Hola" "¿Hola?" "Sí, dígame" "Hola, sí" "¿Quién?" "Aló, ¿sí?")
WORDS_EN=("Hello?" "Hello" "Hi" "Yes?" "Yeah, hello" "Hello, yes?" "Speaking")
LONG_ES=("Hola, buenas tardes, ¿quién habla?" "Aló, buenas tardes" "Sí, aló, ¿con quién hablo?" "Hola, ¿quién es?")
LONG_EN=("Hello, good afternoon, who is this?" "Hi, this is Maria" "Hello, who's calling?")
espeak() { # espeak DST VOICE SPEED TEXT
	espeak-ng -v "$2" -s "$3" -w "$WORK/tmp/e.wav" "$4" && trim "$1" "$WORK/tmp/e.wav"
}
for v in "${VOICES[@]}"; do
	case $v in en*) words=("${WORDS_EN[@]}") long=("${LONG_EN[@]}") ;; *) words=("${WORDS_ES[@]}") long=("${LONG_ES[@]}") ;; esac
	for w in "${words[@]}"; do espeak "$WORK/pool/word/e$((n++)).wav" "$v" $((140 + RANDOM % 60)) "$w"; done
	for w in "${long[@]}"; do espeak "$WORK/pool/long/e$((n++)).wav" "$v" $((150 + RANDOM % 50)) "$w"; done
done
# Voicemail greetings: recorded prompts plus synthesised personal greetings.
for f in "$EN"/vm-{nobodyavail,isunavail,leavemsg,intro,tempgreeting,theperson,rec-unv,rec-busy,isonphone,reachoper,tocallback,tmpexists}.wav \
	"$ES"/vm-{nobodyavail,isunavail,leavemsg,intro,theperson,isonphone,reachoper,tocallback}.wav \
	"$EN"/{please-try-call-later,hello-world,privacy-prompt,queue-thankyou,dir-welcome,vm-msginstruct}.wav "$ES"/{hello-world,privacy-prompt,queue-thankyou,dir-welcome}.wav; do
	[ -f "$f" ] && trim "$WORK/pool/greet/a$((n++)).wav" "$f"
done
GREET_ES=("Hola, has llamado a María. En este momento no puedo atenderte." "Deja tu mensaje después del tono y te llamo."
	"Bienvenido al buzón de voz de Carlos Pérez." "Por favor deje su nombre, su número y un breve mensaje."
	"Hola, soy Ana, ahora no estoy disponible." "Gracias por llamar a Ferretería El Sol, nuestro horario es de nueve a seis.")
GREET_EN=("Hi, you've reached John. I can't take your call right now." "Please leave your name and number after the tone."
	"Thank you for calling, nobody is available to take your call." "Hello, this is the voicemail of Sarah Miller.")
read -r -a GREET_VOICES <<<"${AMD_GREET_VOICES:-es es-419+m3 es+f2 en-us en+f4}"
for v in "${GREET_VOICES[@]}"; do
	case $v in en*) g=("${GREET_EN[@]}") ;; *) g=("${GREET_ES[@]}") ;; esac
	for s in "${g[@]}"; do espeak "$WORK/pool/greet/e$((n++)).wav" "$v" $((150 + RANDOM % 40)) "$s"; done
done
for f in "$EN"/{ss-noservice,cannot-complete-as-dialed,check-number-dial-again,all-circuits-busy-now}.wav "$ES"/{ss-noservice,pbx-invalid}.wav; do
	[ -f "$f" ] && trim "$WORK/pool/ann/a$((n++)).wav" "$f"
done

mapfile -t WORD < <(ls "$WORK"/pool/word/*.wav)
mapfile -t LONG < <(ls "$WORK"/pool/long/*.wav)
mapfile -t GREET < <(ls "$WORK"/pool/greet/*.wav)
mapfile -t ANN < <(ls "$WORK"/pool/ann/*.wav)

# ---- helpers ----------------------------------------------------------------
# rnd MIN MAX sets R to an integer in [MIN, MAX]; pick ARRAY sets P to one of
# its elements. (Not $(...): a subshell would not advance this shell's RANDOM.)
rnd() { R=$(($1 + RANDOM % ($2 - $1 + 1))); }
pick() { local -n _a=$1; P=${_a[RANDOM % ${#_a[@]}]}; }
ms() { soxi -D "$1" | awk '{printf "%d", $1 * 1000 + 0.5}'; }
sec() { awk -v m="$1" 'BEGIN{printf "%.3f", m / 1000}'; }
T=$WORK/tmp
silence() { sox -n -r 8000 -c 1 -b 16 "$1" trim 0 "$(sec "$2")"; }                           # DST MS
tone() { sox -n -r 8000 -c 1 -b 16 "$1" synth "$(sec "$2")" sine "$3" vol "${4:-0.3}"; } # DST MS HZ [AMP]
level() { sox "$2" "$1" gain -n "$3"; }                                                    # DST SRC PEAK_DB

# finish NAME PARTS...: concatenate the parts, add line noise at a random level
# (sometimes none), sometimes a G.711 round trip, and store in a random format.
finish() {
	local name=$1
	shift
	sox "$@" "$T/clean.wav"
	local dur
	dur=$(soxi -D "$T/clean.wav")
	local kinds=(whitenoise pinknoise brownnoise) lvl
	pick NOISE_DB; P1=$P
	lvl=${P1}
	if [ "$lvl" = none ]; then
		cp "$T/clean.wav" "$T/mix.wav"
	else
		pick kinds; P1=$P
		sox -n -r 8000 -c 1 -b 16 "$T/noise.wav" synth "$dur" "${P1}" gain -n "$lvl"
		sox -m -v 1 "$T/clean.wav" -v 1 "$T/noise.wav" "$T/mix.wav"
	fi
	if [ $((RANDOM % 3)) = 0 ]; then
		sox "$T/mix.wav" -t wav -e a-law "$T/g711.wav" && sox "$T/g711.wav" -e signed -b 16 "$T/mix.wav"
	fi
	case $((RANDOM % 10)) in
	0) sox "$T/mix.wav" -e u-law "$OUT/wav/$name.wav" ;;
	1) sox "$T/mix.wav" -e a-law "$OUT/wav/$name.wav" ;;
	2) sox "$T/mix.wav" -r 16000 "$OUT/wav/$name.wav" ;;
	3) sox "$T/mix.wav" -r 44100 "$OUT/wav/$name.wav" ;;
	*) cp "$T/mix.wav" "$OUT/wav/$name.wav" ;;
	esac
}
read -r -a NOISE_DB <<<"${AMD_NOISE:-none -62 -55 -48 -42 -36 -30}" # peak dBFS of the line noise
LABELS="$OUT/labels.csv"
echo "file,label,first_utterance_end_ms,beep_ms,sit" >"$LABELS"

# ---- humans -----------------------------------------------------------------
for i in $(seq -w 1 "$N_HUMAN"); do
	rnd 200 2000; R1=$R
	lead=${R1}
	silence "$T/h0.wav" "$lead"
	r=$((RANDOM % 100))
	if [ $r -lt 15 ]; then # a longer answer
		rnd 3 18; R1=$R; pick LONG; P2=$P
		level "$T/h1.wav" "${P2}" "-${R1}"
	elif [ $r -lt 30 ]; then # two short words with a short pause
		rnd 3 18; R1=$R; pick WORD; P2=$P
		level "$T/a.wav" "${P2}" "-${R1}"
		rnd 3 18; R1=$R; pick WORD; P2=$P
		level "$T/b.wav" "${P2}" "-${R1}"
		rnd 100 300; R1=$R
		silence "$T/p.wav" "${R1}"
		sox "$T/a.wav" "$T/p.wav" "$T/b.wav" "$T/h1.wav"
	else
		rnd 3 18; R1=$R; pick WORD; P2=$P
		level "$T/h1.wav" "${P2}" "-${R1}"
	fi
	end=$((lead + $(ms "$T/h1.wav")))
	if [ $((RANDOM % 3)) = 0 ]; then # waits, then says hello again (level change)
		rnd 1500 2500; R1=$R
		silence "$T/h2.wav" "${R1}"
		rnd 1 20; R1=$R; pick WORD; P2=$P
		level "$T/h3.wav" "${P2}" "-${R1}"
		rnd 1000 2000; R1=$R
		silence "$T/h4.wav" "${R1}"
		finish "human-$i" "$T/h0.wav" "$T/h1.wav" "$T/h2.wav" "$T/h3.wav" "$T/h4.wav"
	else
		rnd 2500 4000; R1=$R
		silence "$T/h2.wav" "${R1}"
		finish "human-$i" "$T/h0.wav" "$T/h1.wav" "$T/h2.wav"
	fi
	echo "human-$i.wav,human,$end,," >>"$LABELS"
done

# ---- answering machines -----------------------------------------------------
for i in $(seq -w 1 "$N_MACHINE"); do
	rnd 100 800; R1=$R
	lead=${R1}
	rnd 3000 12000; R1=$R
	target=${R1}
	silence "$T/m0.wav" "$lead"
	parts=("$T/m0.wav")
	rnd 3 18; R1=$R
	k=0 total=0 peak=-${R1}
	while [ $total -lt "$target" ]; do
		rnd 0 6; R2=$R; pick GREET; P1=$P # level changes between prompts
		level "$T/g$k.wav" "${P1}" "$((peak - R2))"
		parts+=("$T/g$k.wav")
		total=$((total + $(ms "$T/g$k.wav")))
		if [ $total -lt "$target" ]; then
			rnd 80 500; R1=$R
			gap=${R1}
			silence "$T/s$k.wav" "$gap"
			parts+=("$T/s$k.wav")
			total=$((total + gap))
		fi
		k=$((k + 1))
	done
	end=$((lead + total))
	beep=""
	if [ $((RANDOM % 10)) -lt 7 ]; then
		freqs=(1000 1400 1000 1400 850 1800)
		rnd 200 1000; R1=$R
		gap=${R1}
		silence "$T/b0.wav" "$gap"
		rnd 200 600; R1=$R; rnd 1 5; R2=$R; pick freqs; P3=$P
		tone "$T/b1.wav" "${R1}" "${P3}" "0.${R2}"
		parts+=("$T/b0.wav" "$T/b1.wav")
		beep=$((end + gap))
	fi
	rnd 1000 2000; R1=$R
	silence "$T/m9.wav" "${R1}"
	parts+=("$T/m9.wav")
	finish "machine-$i" "${parts[@]}"
	echo "machine-$i.wav,machine,,$beep," >>"$LABELS"
done

# ---- fax --------------------------------------------------------------------
for i in $(seq -w 1 "$N_FAX"); do
	rnd 100 1500; R1=$R
	silence "$T/f0.wav" "${R1}"
	if [ $((RANDOM % 2)) = 0 ]; then # CNG: 1100 Hz, 0.5 s on, 3 s off
		rnd 1080 1120; R1=$R
		hz=${R1}
		tone "$T/f1.wav" 500 "$hz" 0.2
		silence "$T/f2.wav" 3000
		finish "fax-$i" "$T/f0.wav" "$T/f1.wav" "$T/f2.wav" "$T/f1.wav" "$T/f2.wav"
	else # CED: 2100 Hz for 2.6-4 s
		rnd 2600 4000; R1=$R; rnd 2090 2110; R2=$R
		tone "$T/f1.wav" "${R1}" "${R2}" 0.2
		silence "$T/f2.wav" 1000
		finish "fax-$i" "$T/f0.wav" "$T/f1.wav" "$T/f2.wav"
	fi
	echo "fax-$i.wav,fax,,," >>"$LABELS"
done

# ---- special information tones + announcement -------------------------------
# kind: seg1 Hz, ms; seg2 Hz, ms; seg3 Hz, ms (Telcordia GR-1162; ITU-T E.180 variant).
SITS=("intercept 913.8 274 1370.6 274 1776.7 380"
	"vacant 985.2 380 1370.6 274 1776.7 380"
	"no-circuit 985.2 380 1428.5 380 1776.7 380"
	"no-circuit 913.8 380 1370.6 380 1776.7 380"
	"reorder 913.8 274 1428.5 380 1776.7 380"
	"reorder 985.2 274 1370.6 380 1776.7 380"
	"unknown 950 330 1400 330 1800 330")
for i in $(seq -w 1 "$N_SIT"); do
	pick SITS; P1=$P
	read -r kind f1 d1 f2 d2 f3 d3 <<<"${P1}"
	rnd 50 1000; R1=$R
	silence "$T/s0.wav" "${R1}"
	rnd 1 4; R1=$R
	amp=0.${R1}
	tone "$T/s1.wav" "$d1" "$f1" "$amp"
	tone "$T/s2.wav" "$d2" "$f2" "$amp"
	tone "$T/s3.wav" "$d3" "$f3" "$amp"
	rnd 20 300; R1=$R
	silence "$T/s4.wav" "${R1}"
	rnd 3 15; R1=$R; pick ANN; P2=$P
	level "$T/s5.wav" "${P2}" "-${R1}"
	silence "$T/s6.wav" 500
	finish "sit-$i" "$T/s0.wav" "$T/s1.wav" "$T/s2.wav" "$T/s3.wav" "$T/s4.wav" "$T/s5.wav" "$T/s6.wav"
	echo "sit-$i.wav,sit,,,$kind" >>"$LABELS"
done

# ---- dead air ---------------------------------------------------------------
for i in $(seq -w 1 "$N_SILENCE"); do
	rnd 6000 8000; R1=$R
	silence "$T/d0.wav" "${R1}"
	finish "silence-$i" "$T/d0.wav"
	echo "silence-$i.wav,silence,,," >>"$LABELS"
done

rm -rf "$WORK"
echo "build-corpus: $(($(wc -l <"$LABELS") - 1)) recordings in $OUT/wav, labels in $LABELS"
