//! A validator for Vietnamese syllables (onset + rhyme + tone), used to score trial decodings of
//! legacy-encoded text. It is deliberately lenient about spelling conventions (k/c, gh/g, ngh/ng)
//! and strict about what garbage from a wrong decoding breaks: the rhyme must be one of the
//! Vietnamese rhymes, at most one tone mark, and a rhyme ending in a stop (-p, -t, -c, -ch) only
//! takes the sắc or nặng tone.

use unicode_normalization::UnicodeNormalization;

const ONSETS: &[&str] = &[
    "ngh", "ch", "gh", "gi", "kh", "ng", "nh", "ph", "qu", "th", "tr", "b", "c", "d", "đ", "g",
    "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
];

/// Rhymes without tone (vowel nucleus with its shape marks, plus final).
const RHYMES: &[&str] = &[
    "a", "ai", "ao", "au", "ay", "am", "an", "ang", "anh", "ap", "at", "ac", "ach", //
    "ăm", "ăn", "ăng", "ăp", "ăt", "ăc", //
    "âu", "ây", "âm", "ân", "âng", "âp", "ât", "âc", //
    "e", "eo", "em", "en", "eng", "ep", "et", "ec", //
    "ê", "êu", "êm", "ên", "ênh", "êp", "êt", "êch", //
    "i", "ia", "iu", "im", "in", "inh", "ip", "it", "ich", //
    "iêu", "iêm", "iên", "iêng", "iêp", "iêt", "iêc", //
    "y", "yêu", "yêm", "yên", "yêt", "ynh", "yt", "ych", "ya", //
    "o", "oi", "om", "on", "ong", "op", "ot", "oc", "oong", "ooc", //
    "oa", "oai", "oao", "oay", "oam", "oan", "oang", "oanh", "oap", "oat", "oac", "oach", //
    "oăm", "oăn", "oăng", "oăt", "oăc", //
    "oe", "oeo", "oen", "oet", "oem", //
    "ô", "ôi", "ôm", "ôn", "ông", "ôp", "ôt", "ôc", //
    "ơ", "ơi", "ơm", "ơn", "ơp", "ơt", //
    "u", "ua", "ui", "um", "un", "ung", "up", "ut", "uc", //
    "uân", "uâng", "uât", "uây", //
    "uê", "uêch", "uênh", "uôi", "uôm", "uôn", "uông", "uôt", "uôc", //
    "uy", "uya", "uyu", "uych", "uynh", "uyt", "uyn", "uyên", "uyêt", "uơ", //
    "ư", "ưa", "ưi", "ưu", "ưm", "ưn", "ưng", "ưt", "ưc", //
    "ươi", "ươu", "ươm", "ươn", "ương", "ươp", "ươt", "ươc",
];

/// Tone marks (combining): grave, acute, tilde, hook above, dot below.
fn is_tone(c: char) -> bool {
    matches!(
        c,
        '\u{0300}' | '\u{0301}' | '\u{0303}' | '\u{0309}' | '\u{0323}'
    )
}

/// Whether `word` (one syllable, any case, any normalisation form) is a valid Vietnamese syllable.
pub fn is_valid(word: &str) -> bool {
    if word.is_empty() || word.chars().count() > 8 {
        return false;
    }
    // Strip the tone, keep shape marks (circumflex, breve, horn), recompose.
    let mut tones = Vec::with_capacity(1);
    let base: String = word
        .chars()
        .flat_map(|c| c.to_lowercase())
        .nfd()
        .filter(|&c| {
            if is_tone(c) {
                tones.push(c);
                false
            } else {
                true
            }
        })
        .nfc()
        .collect();
    if tones.len() > 1 || !base.chars().all(|c| c.is_alphabetic()) {
        return false;
    }
    let tone = tones.first().copied();
    let mut splits: Vec<&str> = ONSETS
        .iter()
        .copied()
        .filter(|o| base.starts_with(o))
        .collect();
    splits.push("");
    splits.into_iter().any(|onset| {
        let rhyme = &base[onset.len()..];
        RHYMES.contains(&rhyme) && tone_fits(rhyme, tone)
    })
}

fn tone_fits(rhyme: &str, tone: Option<char>) -> bool {
    let stop = rhyme.ends_with('p')
        || rhyme.ends_with('t')
        || rhyme.ends_with('c')
        || rhyme.ends_with("ch");
    match tone {
        None => true,
        Some(t) => !stop || t == '\u{0301}' || t == '\u{0323}',
    }
}

#[cfg(test)]
mod tests {
    use super::is_valid;

    #[test]
    fn accepts_real_syllables() {
        for w in [
            "Quyết", "định", "người", "được", "Việt", "Nam", "của", "và", "các", "khuya", "khuỷu",
            "giữa", "gì", "giếng", "nghiêng", "thuở", "Đảng", "chuyện", "yên", "oanh", "xoong",
            "quýt", "HUỲNH", "thủy", "thuỷ", "hoà", "hòa", "ở", "ấy", "Ủy",
        ] {
            assert!(is_valid(w), "{w} should be valid");
        }
    }

    #[test]
    fn rejects_garbage_from_wrong_decodings() {
        for w in [
            "ViÖt",
            "ng\u{AD}êi",
            "cña",
            "Vieät",
            "ñònh",
            "hiờn",
            "bựo",
            "Thoâng",
            "quyềt",
            "cáć",
            "str",
            "",
            "ngươiii",
            "bàt",
        ] {
            assert!(!is_valid(w), "{w} should be invalid");
        }
    }
}
