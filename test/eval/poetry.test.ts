import { describe, expect, it } from 'vitest';
import { poemMetrics, poetryMetrics, poetryOfRecords } from '../../src/eval/poetryMetrics.ts';
import { rhymeKey, rhymes } from '../../src/eval/poetryRhyme.ts';
import { lineSyllables } from '../../src/eval/poetrySyllables.ts';
import { detectLanguage, lastWord, poemLines } from '../../src/eval/poetryText.ts';

// Hand-written stanzas (ours), labelled by hand: rhyme scheme and syllables per line.
const RU = 'Над рекою тихо тают\nЗолотые облака,\nПтицы к югу улетают,\nИ печальна их тоска.'; // ABAB, 8 7 8 7
const FR = 'Le soir descend sur la colline,\nLe vent se tait dans les roseaux,\n\nUne lumière pâle et fine\nDort doucement au fond des eaux.'; // ABAB across a stanza break, 8 8 8 8
const EN = 'The morning light is on the hill,\nThe river runs beside the mill,\nAnd all the birds begin to sing\nA welcome to the early spring.'; // AABB, 8 8 8 8
const BLANK = 'The wind is cold tonight\nAnd nobody is here\nI watch the empty road'; // unrhymed, 6 6 6

describe('poem text', () => {
  it('lines with letters; the last word, lower-cased, apostrophes kept, stress marks dropped', () => {
    expect(poemLines('  A line,\n\n* * *\nAnother one!  \n')).toEqual(['A line,', 'Another one!']);
    expect(lastWord('Upon a summer’s day')).toBe('day');
    expect(lastWord('la fin de l’amour...')).toBe("l'amour");
    expect(lastWord('И печальна их тоска́.')).toBe('тоска');
    expect(lastWord('— !')).toBe('');
  });

  it('detects the language of a set of texts', () => {
    expect(detectLanguage([RU])).toBe('ru');
    expect(detectLanguage([FR])).toBe('fr');
    expect(detectLanguage([EN, BLANK])).toBe('en');
  });
});

describe('syllables per line', () => {
  it.each([
    ['ru', RU, [8, 7, 8, 7]],
    ['fr', FR, [8, 8, 8, 8]],
    ['en', EN, [8, 8, 8, 8]],
    ['en', BLANK, [6, 6, 6]],
  ] as const)('%s: %s', (lang, text, counts) => {
    expect(poemLines(text).map((l) => lineSyllables(l, lang))).toEqual(counts);
  });

  it('French mute e: counted before a consonant, elided before a vowel or h, not at the line end', () => {
    expect(lineSyllables('Une âme', 'fr')).toBe(2); // un' | â(me)
    expect(lineSyllables('Une femme', 'fr')).toBe(3); // u | ne | fe(mme)
    expect(lineSyllables('Une belle histoire', 'fr')).toBe(5); // u ne bel l'his toi(re)
    expect(lineSyllables('les roses', 'fr')).toBe(2); // les ro(ses)
    expect(lineSyllables('les roses blanches', 'fr')).toBe(4);
    expect(lineSyllables('la musique et la nuit', 'fr')).toBe(6); // the u of qu is silent; musi(que) elided before et
  });

  it('French hiatus: a diaeresis, after é, po-è-te, a y between vowels', () => {
    expect(lineSyllables('Le poète a souri', 'fr')).toBe(6); // le po è t'a sou ri
    expect(lineSyllables('Vous payez ce que je dois', 'fr')).toBe(7); // vous pa yez ce que je dois
    expect(lineSyllables('Un réel naïf', 'fr')).toBe(5); // un ré el na ïf
    expect(lineSyllables('Une aimée', 'fr')).toBe(3); // un' ai mée: a final -ée stays one
  });

  it('English silent endings', () => {
    expect(['table', 'while', 'loved', 'wanted', 'roses', 'stones', 'lovely', 'agreed', "o'er", 'yellow', 'the'].map((w) => lineSyllables(w, 'en'))).toEqual([2, 1, 1, 2, 2, 1, 2, 2, 1, 2, 1]);
  });
});

describe('rhyme keys', () => {
  const pairs = {
    ru: {
      yes: [['ночь', 'прочь'], ['любовь', 'кровь'], ['сад', 'взгляд'], ['дорогу', 'богу'], ['моя', 'твоя'], ['я', 'друзья'], ['ёлка', 'иголка'], ['мечты', 'цветы'], ['огонь', 'ладонь'], ['забыт', 'горит'], ['тают', 'улетают'], ['чудесный', 'прелестный']],
      no: [['дом', 'лес'], ['окно', 'зима'], ['рука', 'нога'], ['стол', 'стул'], ['моя', 'заря'], ['тоска', 'тоска']],
    },
    fr: {
      yes: [['aimer', 'été'], ['nuit', 'fuit'], ['amour', 'jour'], ['bien', 'rien'], ['loin', 'point'], ['belle', 'elle'], ['flamme', 'âme'], ['temps', 'printemps'], ['cœur', 'sœur'], ['mer', 'amer'], ['moi', 'droit'], ['soleil', 'sommeil'], ['colline', 'fine'], ['roseaux', 'eaux'], ['moment', 'enfant'], ['chantez', 'beauté'], ['corps', 'remords'], ['mort', "d'or"], ['cœur', 'rumeur'], ['vainqueur', 'coeur'], ['danse', 'cadence'], ['plainte', 'teinte'], ['lourds', 'velours']],
      no: [['amour', 'nuit'], ['bonne', 'bon'], ['fleur', 'fleuve'], ['lune', 'lumière'], ['mer', 'aimer'], ['jour', 'jour']],
    },
    en: {
      yes: [['night', 'white'], ['time', 'rhyme'], ['day', 'away'], ['sky', 'high'], ['me', 'sea'], ['love', 'above'], ['true', 'blue'], ['stone', 'alone'], ['fair', 'air'], ['door', 'floor'], ['hill', 'mill'], ['sing', 'spring'], ['you', 'dew'], ['eye', 'sky'], ['come', 'drum'], ['cloud', 'crowd'], ['wide', 'cried'], ['more', 'door'], ['ceased', 'released'], ['great', 'hate'], ["king's", 'sing']],
      no: [['night', 'day'], ['love', 'live'], ['cat', 'dog'], ['sea', 'sun'], ['stone', 'stain'], ['hill', 'hill']],
    },
  } as const;
  for (const [lang, { yes, no }] of Object.entries(pairs) as [keyof typeof pairs, (typeof pairs)[keyof typeof pairs]][]) {
    it(`${lang}: known rhymes rhyme`, () => {
      for (const [a, b] of yes) expect([a, b, rhymes(a, b, lang)], `${rhymeKey(a, lang)} vs ${rhymeKey(b, lang)}`).toEqual([a, b, true]);
    });
    it(`${lang}: non-rhymes and a repeated word do not`, () => {
      for (const [a, b] of no) expect([a, b, rhymes(a, b, lang)], `${rhymeKey(a, lang)} vs ${rhymeKey(b, lang)}`).toEqual([a, b, false]);
    });
  }

  it('a word without a vowel has no key', () => {
    expect(rhymeKey('в', 'ru')).toBeNull();
    expect(rhymes('hmm', 'brr', 'en')).toBe(false);
  });
});

describe('poem metrics', () => {
  it('Russian ABAB quatrain: every line rhymed, alternating pairs only; syllables 8 7 8 7', () => {
    const m = poemMetrics(RU, 'ru');
    expect(m).toEqual({ lines: 4, rhyme_rate: 1, aa_rate: 0, abab_rate: 1, syllables_per_line: 7.5, syllable_cv: 0.5 / 7.5 });
  });

  it('French ABAB across a stanza break; English AABB: adjacent 2 of 3, alternating 0 of 2', () => {
    expect(poemMetrics(FR, 'fr')).toEqual({ lines: 4, rhyme_rate: 1, aa_rate: 0, abab_rate: 1, syllables_per_line: 8, syllable_cv: 0 });
    expect(poemMetrics(EN, 'en')).toEqual({ lines: 4, rhyme_rate: 1, aa_rate: 2 / 3, abab_rate: 0, syllables_per_line: 8, syllable_cv: 0 });
  });

  it('unrhymed lines, a one-line text, and a mixed tercet', () => {
    expect(poemMetrics(BLANK, 'en')).toMatchObject({ lines: 3, rhyme_rate: 0, aa_rate: 0, abab_rate: 0, syllable_cv: 0 });
    expect(poemMetrics('Only one line here', 'en')).toEqual({ lines: 1, rhyme_rate: null, aa_rate: null, abab_rate: null, syllables_per_line: 5, syllable_cv: null });
    // night / tree / white: lines 1 and 3 rhyme (ABA), the middle one does not
    const m = poemMetrics('I walk alone at night\nbeneath a silent tree\nand all the world is white', 'en');
    expect(m.rhyme_rate).toBeCloseTo(2 / 3, 12);
    expect([m.aa_rate, m.abab_rate]).toEqual([0, 1]);
    expect(m.syllables_per_line).toBe(6);
  });

  it('averages per poem; auto-detects the language; gen.jsonl records are prompt + text', () => {
    const s = poetryMetrics([EN, BLANK], 'auto');
    expect(s).toEqual({ poems: 2, language: 'en', lines_per_poem: 3.5, rhyme_rate: 0.5, aa_rate: 1 / 3, abab_rate: 0, syllables_per_line: 7, syllable_cv: 0 });
    const r = poetryOfRecords([{ id: 0, prompt: 'Над ре', text: RU.slice(6), token_ids: [] }]);
    expect(r).toMatchObject({ poems: 1, language: 'ru', rhyme_rate: 1, lines_per_poem: 4 });
    expect(poetryMetrics([], 'fr')).toEqual({ poems: 0, language: 'fr', lines_per_poem: null, rhyme_rate: null, aa_rate: null, abab_rate: null, syllables_per_line: null, syllable_cv: null });
  });
});
