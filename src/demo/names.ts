import type { Random } from './random.js';

/** The writing systems demo people are named in. */
export type Script =
  | 'english'
  | 'latin'
  | 'cyrillic'
  | 'greek'
  | 'arabic'
  | 'hebrew'
  | 'japanese'
  | 'chinese'
  | 'korean'
  | 'devanagari';

/** A name as written, with the ASCII form used to build an email address. */
type Name = readonly [native: string, ascii: string];

interface NamePool {
  given: readonly Name[];
  family: readonly Name[];
  /** East Asian names put the family name first, without a space. */
  familyFirst: boolean;
  countries: readonly string[];
}

/** A generated person. */
export interface Person {
  name: string;
  /** `given.family` in ASCII, the local part of an email address. */
  handle: string;
  country: string;
  script: Script;
}

const POOLS: Record<Script, NamePool> = {
  english: {
    given: [
      ['Olivia', 'olivia'],
      ['Liam', 'liam'],
      ['Amelia', 'amelia'],
      ['Noah', 'noah'],
      ['Grace', 'grace'],
      ['Ethan', 'ethan'],
      ['Chloe', 'chloe'],
      ['Samuel', 'samuel'],
      ['Hannah', 'hannah'],
      ['Isaac', 'isaac'],
    ],
    family: [
      ['Walker', 'walker'],
      ['Bennett', 'bennett'],
      ["O'Connor", 'oconnor'],
      ['Smith-Jones', 'smith-jones'],
      ['Hughes', 'hughes'],
      ['Okafor', 'okafor'],
      ['MacLeod', 'macleod'],
      ['Reyes', 'reyes'],
    ],
    familyFirst: false,
    countries: ['GB', 'IE', 'US', 'CA', 'AU', 'NZ'],
  },
  latin: {
    given: [
      ['Zoë', 'zoe'],
      ['Émilie', 'emilie'],
      ['Søren', 'soren'],
      ['Łukasz', 'lukasz'],
      ['João', 'joao'],
      ['Małgorzata', 'malgorzata'],
      ['Jiří', 'jiri'],
      ['Björn', 'bjorn'],
      ['Anaïs', 'anais'],
      ['Çağla', 'cagla'],
      ['Ásdís', 'asdis'],
      ['Núria', 'nuria'],
      ['François', 'francois'],
    ],
    family: [
      ['Dvořák', 'dvorak'],
      ['Müller', 'muller'],
      ['Ångström', 'angstrom'],
      ['Núñez', 'nunez'],
      ['Gonçalves', 'goncalves'],
      ['Kowalczyk', 'kowalczyk'],
      ['Šimić', 'simic'],
      ['Østergaard', 'ostergaard'],
      ['Lefèvre', 'lefevre'],
      ['Yıldız', 'yildiz'],
      ['Þórsdóttir', 'thorsdottir'],
      ['García', 'garcia'],
    ],
    familyFirst: false,
    countries: ['DE', 'FR', 'PL', 'CZ', 'DK', 'PT', 'ES', 'IS', 'TR', 'SE', 'HR'],
  },
  cyrillic: {
    given: [
      ['Алексей', 'aleksei'],
      ['Мария', 'maria'],
      ['Дмитрий', 'dmitrii'],
      ['Ольга', 'olga'],
      ['Наталья', 'natalia'],
      ['Иван', 'ivan'],
      ['Светлана', 'svetlana'],
    ],
    family: [
      ['Иванова', 'ivanova'],
      ['Смирнов', 'smirnov'],
      ['Кузнецова', 'kuznetsova'],
      ['Попов', 'popov'],
      ['Соколова', 'sokolova'],
      ['Петров', 'petrov'],
    ],
    familyFirst: false,
    countries: ['BG', 'RS', 'UA', 'KZ'],
  },
  greek: {
    given: [
      ['Γιώργος', 'giorgos'],
      ['Ελένη', 'eleni'],
      ['Νίκος', 'nikos'],
      ['Σοφία', 'sofia'],
      ['Δημήτρης', 'dimitris'],
      ['Κατερίνα', 'katerina'],
    ],
    family: [
      ['Παπαδόπουλος', 'papadopoulos'],
      ['Οικονόμου', 'oikonomou'],
      ['Γεωργίου', 'georgiou'],
      ['Καραγιάννη', 'karagianni'],
      ['Βλάχος', 'vlachos'],
    ],
    familyFirst: false,
    countries: ['GR', 'CY'],
  },
  arabic: {
    given: [
      ['محمد', 'mohammed'],
      ['فاطمة', 'fatima'],
      ['ليلى', 'layla'],
      ['يوسف', 'youssef'],
      ['عمر', 'omar'],
      ['نور', 'nour'],
    ],
    family: [
      ['الحسن', 'alhassan'],
      ['منصور', 'mansour'],
      ['حداد', 'haddad'],
      ['خليل', 'khalil'],
      ['عبد الله', 'abdullah'],
    ],
    familyFirst: false,
    countries: ['AE', 'EG', 'JO', 'MA', 'SA', 'LB'],
  },
  hebrew: {
    given: [
      ['נועה', 'noa'],
      ['יונתן', 'yonatan'],
      ['תמר', 'tamar'],
      ['אורי', 'ori'],
      ['מיכל', 'michal'],
    ],
    family: [
      ['כהן', 'cohen'],
      ['לוי', 'levi'],
      ['מזרחי', 'mizrahi'],
      ['פרץ', 'peretz'],
      ['ביטון', 'biton'],
    ],
    familyFirst: false,
    countries: ['IL'],
  },
  japanese: {
    given: [
      ['陽翔', 'haruto'],
      ['さくら', 'sakura'],
      ['健太', 'kenta'],
      ['美咲', 'misaki'],
      ['翔太', 'shota'],
      ['結衣', 'yui'],
      ['蓮', 'ren'],
      ['葵', 'aoi'],
    ],
    family: [
      ['佐藤', 'sato'],
      ['鈴木', 'suzuki'],
      ['高橋', 'takahashi'],
      ['田中', 'tanaka'],
      ['渡辺', 'watanabe'],
      ['伊藤', 'ito'],
      ['山本', 'yamamoto'],
    ],
    familyFirst: true,
    countries: ['JP'],
  },
  chinese: {
    given: [
      ['伟', 'wei'],
      ['芳', 'fang'],
      ['静', 'jing'],
      ['磊', 'lei'],
      ['秀英', 'xiuying'],
      ['子涵', 'zihan'],
    ],
    family: [
      ['王', 'wang'],
      ['李', 'li'],
      ['张', 'zhang'],
      ['刘', 'liu'],
      ['陈', 'chen'],
      ['黄', 'huang'],
    ],
    familyFirst: true,
    countries: ['CN', 'TW', 'SG', 'HK'],
  },
  korean: {
    given: [
      ['민준', 'minjun'],
      ['서연', 'seoyeon'],
      ['지호', 'jiho'],
      ['하은', 'haeun'],
      ['도윤', 'doyun'],
    ],
    family: [
      ['김', 'kim'],
      ['이', 'lee'],
      ['박', 'park'],
      ['최', 'choi'],
      ['정', 'jung'],
    ],
    familyFirst: true,
    countries: ['KR'],
  },
  devanagari: {
    given: [
      ['आरव', 'aarav'],
      ['प्रिया', 'priya'],
      ['अनन्या', 'ananya'],
      ['रोहन', 'rohan'],
      ['विक्रम', 'vikram'],
      ['दीपिका', 'deepika'],
    ],
    family: [
      ['शर्मा', 'sharma'],
      ['पटेल', 'patel'],
      ['वर्मा', 'verma'],
      ['गुप्ता', 'gupta'],
      ['सिंह', 'singh'],
      ['जोशी', 'joshi'],
    ],
    familyFirst: false,
    countries: ['IN', 'NP'],
  },
};

/** A person named in one of `scripts`, chosen by weight. */
export function makePerson(rng: Random, scripts: readonly (readonly [Script, number])[]): Person {
  const script = rng.weighted(scripts);
  const pool = POOLS[script];
  const [given, givenAscii] = rng.pick(pool.given);
  const [family, familyAscii] = rng.pick(pool.family);
  return {
    name: pool.familyFirst ? `${family}${given}` : `${given} ${family}`,
    handle: `${givenAscii}.${familyAscii}`,
    country: rng.pick(pool.countries),
    script,
  };
}

/** Makes handles unique by numbering repeats (`kenta.sato`, `kenta.sato2`, …). */
export function uniqueHandles(): (handle: string) => string {
  const seen = new Map<string, number>();
  return (handle) => {
    const count = (seen.get(handle) ?? 0) + 1;
    seen.set(handle, count);
    return count === 1 ? handle : `${handle}${count}`;
  };
}
