"""Generate the CONSTRUCTED example survey export in ``corpus/example/``.

Nothing written by this script is survey data. It combines hand-written sentence
templates, in the register of the municipal "Korona og rus" survey (paraphrased, never
copied), into free-text answers of a wide survey export: one row per respondent and
survey week, one column per free-text question. A fixed seed makes the output
reproducible; ``python corpus/example/make_example.py`` rewrites ``svar.xlsx`` and
``svar.csv`` byte for byte.

Themes vary over the weeks and regions so that a weekly report has trends to show:
reports of drought (``tørke``) and higher prices fall from week 16 to week 28, overdoses
rise on Østlandet towards week 28, worries about infection fall while worries about
mental health and activity measures rise, and Sørlandet has no answers in week 28.

The module is importable (the benchmark in ``bench/`` uses :func:`iter_comments`):

- :func:`build_rows` returns the rows of the example export;
- :func:`compose` writes one answer to one question for a week and region;
- :func:`iter_comments` streams any number of constructed comments as plain dicts;
- :func:`write_outputs` writes ``svar.xlsx`` and ``svar.csv``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import re
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

SEED = 2020
YEAR = 2020
WEEKS: tuple[int, ...] = (16, 18, 20, 22, 24, 26, 28)
REGIONS: tuple[str, ...] = ("Nord-Norge", "Midt-Norge", "Vestlandet", "Sørlandet", "Østlandet")
#: Respondents per survey week and region (Sørlandet had no answers in week 28).
RESPONDENTS: dict[str, int] = {
    "Nord-Norge": 7,
    "Midt-Norge": 6,
    "Vestlandet": 6,
    "Sørlandet": 4,
    "Østlandet": 8,
}
MUNICIPALITY_SIZES: tuple[str, ...] = (
    "Under 10 000",
    "10 000–50 000",
    "Over 50 000",
)
#: Question key -> column header in the export (wide form: one column per question).
QUESTIONS: dict[str, str] = {
    "miljo": "Kommentarer om endringer i rusmiddelmiljøet (tilgang, priser, stoffer)",
    "bekymring": "Hva bekymrer brukere og pårørende mest nå?",
    "tiltak": "Hvilke tiltak har kommunen iverksatt?",
}
ID_COL, WEEK_COL, YEAR_COL, REGION_COL, SIZE_COL = (
    "respondent_id",
    "uke",
    "år",
    "landsdel",
    "kommunestørrelse",
)
COLUMNS: tuple[str, ...] = (ID_COL, WEEK_COL, YEAR_COL, REGION_COL, SIZE_COL, *QUESTIONS.values())
SHEET_NAME = "Svar"
#: Fixed timestamp written into the xlsx package so that reruns give identical bytes.
FIXED_TIME = dt.datetime(2020, 7, 10, 12, 0, 0)

HERE = Path(__file__).resolve().parent

# ---------------------------------------------------------------------------------------
# Substances: surface forms by slot. "noun" fits after "på"/"av"; "prefix" starts a
# compound ("hasjtørke", "GHB-bruk"). Typos and inflected forms are deliberate.
# ---------------------------------------------------------------------------------------
SUBSTANCES: dict[str, dict[str, list[str]]] = {
    "cannabis": {
        "noun": ["hasj", "hasj", "hasj", "hasj", "cannabis", "cannabis", "marihuana", "weed", "skunk", "hasjen"],
        "prefix": ["hasj", "hasj", "hasj", "cannabis"],
    },
    "amfetamin": {
        "noun": ["amfetamin", "amfetamin", "amfetamin", "speed", "amfetamine", "amfetaminen", "metamfetamin", "amf"],
        "prefix": ["amfetamin", "amfetamin", "metamfetamin"],
    },
    "benzodiazepiner": {
        "noun": ["benzo", "benzoer", "Rivotril", "Rivotril", "rivotrill", "Rivotril-tabletter", "Xanax",
                 "Valium", "Vival", "benzodiazepiner", "Sobril", "Stesolid"],
        "prefix": ["benzo", "benzodiazepin", "Rivotril-"],
    },
    "ghb": {"noun": ["GHB", "GHB", "GHB", "GBL"], "prefix": ["GHB-"]},
    "heroin": {"noun": ["heroin"], "prefix": ["heroin"]},
    "kokain": {"noun": ["kokain", "kokain", "crack"], "prefix": ["kokain"]},
    "alkohol": {"noun": ["alkohol", "alkohol", "sprit", "hjemmebrent", "øl og vin"], "prefix": ["alkohol"]},
    "lar": {"noun": ["Subutex", "metadon", "Suboxone", "LAR-medisiner", "buprenorfin"], "prefix": ["Subutex-"]},
    "opioider": {"noun": ["tramadol", "oksykodon", "OxyContin", "opiater", "kodein"], "prefix": ["opioid"]},
    "legemidler": {"noun": ["piller", "tabletter", "Lyrica", "pregabalin", "medikamenter", "reseptbelagte legemidler"],
                   "prefix": ["pille", "tablett"]},
    "andre": {"noun": ["ketamin", "syntetiske cannabinoider", "NPS"], "prefix": ["ketamin"]},
    "ecstasy": {"noun": ["MDMA", "ecstasy"], "prefix": ["MDMA-"]},
}
#: Which substances are reported scarce, and which users switch to (weights).
DROUGHT_SUBSTANCES = {"cannabis": 0.55, "amfetamin": 0.25, "benzodiazepiner": 0.15, "heroin": 0.03, "kokain": 0.02}
SWITCH_SUBSTANCES = {"alkohol": 0.35, "ghb": 0.2, "benzodiazepiner": 0.12, "legemidler": 0.15, "heroin": 0.06,
                     "opioider": 0.06, "andre": 0.03, "ecstasy": 0.03}
OVERDOSE_SUBSTANCES = {"heroin": 0.4, "ghb": 0.3, "opioider": 0.2, "benzodiazepiner": 0.1}
DROUGHT_WORDS = ["tørke"] * 9 + ["trøke"]
RUSMIDDELTORKE = ["rusmiddeltørke"] * 6 + ["rusmiddeltrøke", "rusmiddel tørke", "Rusmiddeltørke"]

# ---------------------------------------------------------------------------------------
# Sentence templates per question and theme. Slots: {sub}, {sub2} substance nouns;
# {pre} compound prefix; {alt} substance switched to; {od} overdose substance;
# {torke} a spelling of "tørke"; {rtorke} a spelling of "rusmiddeltørke".
# ---------------------------------------------------------------------------------------
MILJO: dict[str, list[str]] = {
    "torke": [
        "Det er meldt om {pre}{torke} i miljøet.",
        "Brukerne rapporterer dårligere tilgang på {sub} og høyere priser.",
        "Fortsatt {torke} på {sub}, særlig etter at grensene stengte.",
        "Mindre {sub} i omløp enn før påske.",
        "Vanskelig å få tak i {sub}, og også {sub2} er det lite av.",
        "{Rtorke}, spesielt {sub}.",
        "Det meldes om {torke} på {sub} og {sub2}.",
        "Brukerne forteller at {sub} nesten ikke er å få tak i lenger.",
        "Noe {rtorke} i perioden, mest {sub}.",
        "Stor {pre}{torke}, brukerne sier det har vært slik i flere uker.",
    ],
    "pris": [
        "Prisen på {sub} er omtrent doblet.",
        "Høyere priser på {sub} enn vanlig.",
        "{Sub} har blitt dyrere, prisene har økt mye siden mars.",
        "Brukerne klager på at prisene har gått opp.",
        "Dyrere stoff på gata, og dårligere kvalitet.",
    ],
    "bytte": [
        "Flere bruker {alt} når de ikke får tak i {sub}.",
        "Noen har gått over til {alt}.",
        "Økt {altpre}bruk blant de vi følger opp.",
        "Vi ser mer blandingsbruk, særlig {alt} og {alt2}.",
        "Brukerne ruser seg mer enn vanlig, og det drikkes mer alkohol.",
        "Alternative rusmidler som {alt} er mer brukt nå.",
        "Endret bruksmønster: mindre {sub}, mer {alt}.",
        "Mer {altpre}misbruk enn før.",
        "Mer salg av {lar} på gata etter at utleveringen ble endret.",
    ],
    "overdose": [
        "Flere overdoser enn vanlig de siste ukene.",
        "Vi har hatt to overdoser på kort tid, begge med {od}.",
        "Økning i akuttsituasjoner, ambulansen har rykket ut flere ganger.",
        "Flere overdoser med {od} i sentrum.",
        "Bekymret for overdosefare nå som toleransen er lav etter {torke}n.",
        "Det har vært en {odpre}overdose og flere nestenulykker.",
    ],
    "unge": [
        "Nye og yngre brukere i miljøet.",
        "Ungdom ruser seg mer ute nå i sommer, mest {sub}.",
        "Vi ser flere unge som eksperimenterer med {sub}.",
    ],
    "vold": [
        "Mer uro og konflikter i miljøet.",
        "Økt aggresjon, mye knyttet til gjeld.",
        "Politiet melder om flere voldsepisoder enn normalt.",
    ],
    "brudd": [
        "Miljøet samles som før og deler utstyr.",
        "Mange følger ikke rådene, de møtes i store grupper i parken.",
        "Brukerne reiser over kommunegrensen for å skaffe rusmidler.",
    ],
    "ingen": [
        "Ikke meldt om endringer.",
        "Ingen endringer vi kjenner til.",
        "Situasjonen er som før.",
    ],
    "noise": [
        "Lite miljø i kommunen, vanskelig å si noe sikkert.",
        "Vi har få brukere, så endringer i stoff og priser fanger vi ikke alltid opp.",
        "Rusmidler generelt er lite synlig her.",
        "Samme som forrige kartlegging.",
        "Vet ikke.",
        "Narkotika er ikke et stort tema hos oss.",
    ],
}

BEKYMRING: dict[str, list[str]] = {
    "smitte": [
        "Redd for å bli smittet.",
        "Mange er i risikogruppen og bekymret for smitte.",
        "Frykt for smitteutbrudd i miljøet.",
        "Pårørende er redde for at brukerne skal bli smittet og bli alvorlig syke.",
        "Smittefare når de deler utstyr.",
        "Brukerne har dårlig helse fra før og er engstelige for korona.",
    ],
    "hjelp": [
        "At de ikke skal få helsehjelp hvis de blir syke.",
        "Stengte tilbud, dagsenteret har vært stengt i flere uker.",
        "Avlyst behandling og utsatte timer.",
        "Redd for å bli avvist på legevakta.",
        "Mindre kontakt med hjelpeapparatet, mange faller mellom to stoler.",
        "Pårørende opplever at behandlingsplassen ble utsatt.",
    ],
    "psykisk": [
        "Mer angst og depresjon.",
        "Psykisk helse er blitt dårligere for mange.",
        "Flere akuttinnleggelser på grunn av psykisk uhelse.",
        "Økt angstproblematikk, særlig hos de som bor alene.",
        "Mange sliter psykisk nå.",
    ],
    "ensomhet": [
        "Ensomhet.",
        "Mange isolerer seg.",
        "Mindre sosial kontakt, mange føler seg ensomme.",
        "Savner møteplassene og å ha noe å gå til.",
        "Isolasjon og lite nettverk.",
    ],
    "overdose": [
        "Pårørende er redde for overdoser.",
        "Frykt for overdose når stoffet er sterkere enn de er vant til.",
        "At noen skal ta en overdose alene uten at noen finner dem.",
        "Overdosefare ved bruk av {od}.",
    ],
    "okonomi": [
        "Dårlig økonomi, mange er blakke.",
        "Har mistet inntekt fordi det er færre folk i byen.",
        "Økonomien, flere har fått gjeld.",
    ],
    "bolig": [
        "Noen mangler bolig.",
        "Bostedsløse har ingen steder å være på dagtid.",
        "Usikker bosituasjon for flere av brukerne.",
    ],
    "tilgang": [
        "Abstinenser.",
        "Brukerne er mest bekymret for å få tak i stoff.",
        "Abstinenser når det er {torke} på {sub}.",
        "At det skal bli enda vanskeligere å få tak i {sub}.",
    ],
    "endret": [
        "Pårørende er bekymret for at de drikker mer.",
        "At de ruser seg mer enn før.",
        "Økt {altpre}bruk hjemme.",
    ],
    "unge": [
        "Pårørende til ungdom er bekymret for {pre}bruk.",
        "Foreldre er bekymret for at unge begynner å ruse seg.",
    ],
    "brudd": [
        "Pårørende er bekymret for at brukerne ikke følger smittevernrådene.",
        "At de klemmer og deler utstyr som før.",
    ],
    "ingen": [
        "Ingen spesielle bekymringer meldt.",
        "Ikke fått inn noen nye bekymringer.",
    ],
    "noise": [
        "Som før.",
        "Det samme som tidligere uker.",
        "Usikkerhet generelt.",
        "Vet ikke, vi har lite kontakt med pårørende.",
    ],
}

#: Negated mentions, keyed by the theme they deny (never combined with that theme).
NEGATED: dict[str, list[tuple[str, str]]] = {
    "miljo": [
        ("torke", "Situasjonen er stabil, ingen melder om {torke}."),
        ("torke", "Tilgangen på {sub} er som normalt."),
        ("overdose", "Vi har ikke sett økning i overdoser."),
        ("torke", "Ikke lenger problemer med å få tak i {sub}, ifølge brukerne."),
        ("torke", "Ingen tegn til {rtorke} i vår kommune."),
        ("torke", "Har ikke hørt om {torke} på {sub} denne gangen."),
        ("overdose", "Ingen overdoser siden forrige kartlegging."),
        ("pris", "Prisene har ikke endret seg."),
        ("vold", "Ikke mer uro enn vanlig."),
        ("bytte", "Ingen tegn til økt bruk av {alt}."),
    ],
    "bekymring": [
        ("smitte", "Brukerne er ikke så redde for smitte lenger."),
        ("overdose", "Vi har ikke fått henvendelser om overdoser."),
        ("ensomhet", "Ingen har meldt om ensomhet denne uka."),
        ("smitte", "Pårørende er ikke bekymret for smitte nå."),
        ("hjelp", "Ingen er blitt avvist, tilbudene er åpne."),
        ("bolig", "Ingen bostedsløse i kommunen."),
    ],
}

#: Measures: (short phrase for list answers, full sentence).
TILTAK: dict[str, list[tuple[str, str]]] = {
    "oppsokende": [
        ("oppsøkende team", "Vi har økt oppsøkende virksomhet."),
        ("økt oppsøkende virksomhet", "Oppsøkende team er ute hver dag."),
        ("ambulerende team", "Ambulant team følger opp de mest sårbare med hjemmebesøk."),
        ("hjemmebesøk", "Flere hjemmebesøk enn før."),
        ("feltsykepleie", "Feltsykepleien går ekstra runder i sentrum."),
    ],
    "brukerutstyr": [
        ("rent brukerutstyr", "Rent brukerutstyr deles ut i døra."),
        ("utdeling av brukerutstyr", "Sprøyter og annet brukerutstyr kjøres ut til dem som trenger det."),
        ("sprøyteutdeling", "Vi har utvidet utdelingen av rent brukerutstyr."),
    ],
    "nalokson": [
        ("nalokson", "Naloksonspray deles ut, og ansatte har fått opplæring."),
        ("utdeling av naloksonspray", "Mer utdeling av nalokson enn vanlig."),
        ("overdoseforebyggende tiltak", "Vi har trappet opp det overdoseforebyggende arbeidet."),
        ("113-kortet", "113-kortet deles ut sammen med nalokson."),
    ],
    "mat": [
        ("matpakker", "Matpakker deles ut hver dag."),
        ("matutdeling", "Matutdeling i samarbeid med frivillige."),
        ("servering ute", "Servering ute to ganger i uka."),
    ],
    "legemiddelutlevering": [
        ("utkjøring av LAR-medisiner", "Utkjøring av LAR-medisiner til de som er i karantene."),
        ("hjemkjøring av medisiner", "Hjemkjøring av medisiner for dem som ikke kan hente selv."),
        ("utlevering for flere dager", "{Lar} utleveres for flere dager om gangen."),
        ("endret utlevering i LAR", "Endret henteordning i LAR, de fleste henter to ganger i uka."),
    ],
    "digital": [
        ("telefonoppfølging", "Mest oppfølging på telefon."),
        ("oppfølging på telefon og video", "Samtaler på video for dem som har utstyr til det."),
        ("digitale samtaler", "Vi ringer brukerne jevnlig."),
    ],
    "testing": [
        ("testing", "Tilbud om testing på lavterskeltilbudet."),
        ("testing av brukere med symptomer", "Vi hjelper brukere med symptomer å bli testet."),
        ("prøvetaking", "Prøvetaking ved hjemmebesøk når det trengs."),
    ],
    "isolering": [
        ("isolasjonsplasser", "Egen isolasjonsenhet for brukere med påvist smitte."),
        ("karanteneplass", "Karanteneplass for bostedsløse."),
        ("midlertidig botilbud", "Midlertidig botilbud er opprettet."),
    ],
    "smittevern": [
        ("antibac", "Antibac og smittevernutstyr til brukerne."),
        ("smittevernutstyr", "Mindre grupper og god avstand på dagsenteret."),
        ("mindre grupper", "Desinfisering av lokalene flere ganger daglig."),
    ],
    "informasjon": [
        ("informasjon om smittevern", "Informasjon om smittevern til brukerne."),
        ("info på Facebook", "Vi legger ut informasjon på Facebook og hjemmesiden."),
        ("informasjon om overdosefare", "Vi informerer om overdosefare og hvordan unngå overdose."),
    ],
    "aktivitet": [
        ("walk and talk", "Walk and talk med brukerne."),
        ("uteaktiviteter", "Uteaktiviteter i mindre grupper."),
        ("aktivitetstilbud", "Aktivitetstilbudet er åpnet igjen, med færre deltakere."),
        ("møteplass ute", "Vi har laget en møteplass ute med bålpanne."),
    ],
    "samtaler": [
        ("samtaletilbud", "Samtaletilbud for brukere og pårørende."),
        ("støttesamtaler", "Flere ber om samtaler, vi har utvidet kapasiteten."),
        ("samtaler ute", "Samtaler ute i stedet for på kontoret."),
    ],
    "samarbeid": [
        ("samarbeid med frivillige", "Tett samarbeid med frivillige organisasjoner."),
        ("koordinering", "Ukentlige møter for å koordinere tjenestene."),
        ("tverretatlig samarbeid", "Tverretatlig samarbeid med politiet og spesialisthelsetjenesten."),
    ],
    "behandling": [
        ("raskere oppstart i LAR", "Raskere oppstart i LAR i samarbeid med spesialisthelsetjenesten."),
        ("henvisning til behandling", "Vi har henvist flere til behandling."),
    ],
    "praktisk": [
        ("hjelp med NAV", "Hjelp med NAV og andre praktiske ting."),
        ("bistand til praktiske gjøremål", "Vi handler for dem som er i karantene."),
    ],
}
TILTAK_NEGATED: list[tuple[str, str]] = [
    ("isolering", "Har ikke hatt behov for isolasjonsplasser."),
    ("testing", "Ingen testing av brukere så langt."),
    ("legemiddelutlevering", "Ikke lenger utkjøring av medisiner, de fleste henter som før."),
    ("nalokson", "Vi har ikke startet med nalokson ennå."),
    ("mat", "Ikke behov for matutdeling lenger."),
    ("digital", "Ingen digital oppfølging, brukerne har ikke telefon."),
    ("aktivitet", "Aktivitetstilbudet er ikke åpnet igjen."),
]
TILTAK_NOISE: list[str] = [
    "Ingen nye tiltak.",
    "Tiltakene fra i vår videreføres.",
    "Ordinær drift.",
    "Samme tilbud som før.",
    "Tiltak er under planlegging.",
    "Vi følger de nasjonale rådene.",
]

#: Answers that are empty in the export; the reader skips them ("" and whitespace are
#: written as empty cells in the xlsx).
EMPTY_ANSWERS = ("", "", "", "-", "-", " ")

#: One-off answers placed once each in the example export: line breaks, HTML, and
#: made-up personal data for the redaction demo (the fødselsnummer is a synthetic
#: test number, month + 80, so it cannot belong to a real person).
SPECIALS: dict[str, list[str]] = {
    "tiltak": [
        "Utkjøring av metadon og Subutex til brukere i karantene.",
        "Kontaktperson for lavterskeltilbudet er Kari Nordmann, tlf 912 34 567.",
        "Spørsmål om tilbudet kan sendes til ola.nordmann@example.com.\nVi svarer innen to dager.",
        "Matutdelingen er flyttet til Storgata 12 i sentrum.\nÅpent mandag til fredag.",
        'Info til brukerne ligger på <a href="https://example.com/info">hjemmesiden</a>. '
        "<script>alert(1)</script> Ellers rent brukerutstyr som før.",
    ],
    "bekymring": [
        "En bruker (fnr 01819012365) ble avvist på legevakta, pårørende er fortvilet.",
        "Mest bekymret for smitte.\n\nOgså ensomhet, mange sitter alene hele dagen.",
        "Ikke lenger så redde for abstinenser, men flere har begynt å blande Rivotril-tabletter og alkohol.",
    ],
    "miljo": [
        "Fortsatt rusmiddeltrøke, mest hasj. Noen har begynt med amfetamine i stedet.",
        "Økt GHB-bruk og mer benzodiazepinmisbruk blant de eldste brukerne.",
        "Ingen melder om hasjtørke lenger, og vi har ikke sett økning i overdoser.",
        "Noe salg av Xanax, tramadol og Lyrica-piller i sentrum. En del ketamin blant de yngre.",
        "Uke 1 etter nedstengningen: stor {pre}{torke}.\nNå: fortsatt lite {sub}, men mer {alt}.\n"
        "Prisene har økt.",
    ],
}


def _t(week: int) -> float:
    """Time in the survey period, 0.0 at week 16 and 1.0 at week 28."""
    return (week - WEEKS[0]) / (WEEKS[-1] - WEEKS[0])


def theme_probabilities(question: str, week: int, region: str) -> dict[str, float]:
    """Probability that an answer to ``question`` in ``week`` and ``region`` has each theme."""
    t = _t(week)
    east = region == "Østlandet"
    if question == "miljo":
        overdose = 0.06 + (0.65 * max(0.0, (week - 22) / 6) if east else 0.0)
        if region == "Nord-Norge" and week >= 26:
            overdose += 0.08
        if region == "Vestlandet" and week == 28:
            overdose = 0.0
        drought = 0.7 - 0.5 * t + (0.15 if east else 0.0) - (0.15 if region == "Vestlandet" else 0.0)
        return {
            "torke": max(drought, 0.03),
            "pris": max(0.35 - 0.25 * t, 0.05),
            "bytte": 0.3,
            "overdose": overdose,
            "unge": 0.05 + 0.15 * t,
            "vold": 0.12 + (0.08 if east else 0.0),
            "brudd": max(0.18 - 0.12 * t, 0.03),
            "ingen": 0.12 + 0.3 * t,
            "noise": 0.08,
        }
    if question == "bekymring":
        return {
            "smitte": 0.6 - 0.4 * t,
            "hjelp": 0.4 - 0.25 * t,
            "psykisk": 0.15 + 0.35 * t,
            "ensomhet": 0.35 - 0.1 * t,
            "overdose": 0.04 + (0.3 if week >= 26 else 0.0) + (0.2 if east and week >= 26 else 0.0),
            "okonomi": 0.12,
            "bolig": 0.08 + (0.06 if east else 0.0),
            "tilgang": max(0.3 - 0.25 * t, 0.03),
            "endret": 0.12,
            "unge": 0.03 + 0.07 * t,
            "brudd": 0.08,
            "ingen": 0.05 + 0.15 * t,
            "noise": 0.06,
        }
    if question == "tiltak":
        return {
            "oppsokende": 0.45,
            "brukerutstyr": 0.35,
            "nalokson": 0.08 + (0.45 if east and week >= 24 else 0.0) + (0.1 if week >= 26 else 0.0),
            "mat": 0.35 - 0.15 * t,
            "legemiddelutlevering": 0.3 - 0.1 * t,
            "digital": 0.5 - 0.35 * t,
            "testing": 0.04 + 0.3 * t,
            "isolering": 0.15,
            "smittevern": 0.3,
            "informasjon": 0.2,
            "aktivitet": 0.08 + 0.3 * t,
            "samtaler": 0.2,
            "samarbeid": 0.2,
            "behandling": 0.06 + 0.1 * t,
            "praktisk": 0.08,
            "negated": 0.1,
            "noise": 0.08,
        }
    raise ValueError(f"unknown question key {question!r}")


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _noun(rng: random.Random, group: str) -> str:
    return rng.choice(SUBSTANCES[group]["noun"])


def _prefix(rng: random.Random, group: str) -> str:
    return rng.choice(SUBSTANCES[group]["prefix"])


def _fill(template: str, rng: random.Random) -> str:
    """Fill the substance and spelling slots of a template."""
    drought = _weighted(rng, DROUGHT_SUBSTANCES)
    drought2 = _weighted(rng, {k: v for k, v in DROUGHT_SUBSTANCES.items() if k != drought})
    alt = _weighted(rng, SWITCH_SUBSTANCES)
    alt2 = _weighted(rng, {k: v for k, v in SWITCH_SUBSTANCES.items() if k != alt})
    od = _weighted(rng, OVERDOSE_SUBSTANCES)
    values = {
        "sub": _noun(rng, drought),
        "sub2": _noun(rng, drought2),
        "pre": _prefix(rng, drought),
        "alt": _noun(rng, alt),
        "alt2": _noun(rng, alt2),
        "altpre": _prefix(rng, alt),
        "od": _noun(rng, od),
        "odpre": _prefix(rng, od),
        "lar": _noun(rng, "lar"),
        "torke": rng.choice(DROUGHT_WORDS),
        "rtorke": rng.choice(RUSMIDDELTORKE),
    }
    values.update({k.capitalize(): _capitalize(v) for k, v in list(values.items())})
    return template.format(**values)


def _capitalize(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _casual(text: str, rng: random.Random) -> str:
    """Drop the final full stop now and then, as answers typed in a hurry do."""
    if rng.random() < 0.2 and text.endswith("."):
        text = text[:-1]
    return text


def _pick_themes(rng: random.Random, probs: dict[str, float], max_themes: int) -> list[str]:
    chosen = [k for k, p in probs.items() if k not in ("noise", "ingen", "negated") and rng.random() < p]
    rng.shuffle(chosen)
    return chosen[:max_themes]


def compose(question: str, week: int, region: str, rng: random.Random) -> str:
    """Write one constructed answer to ``question`` ("miljo", "bekymring", "tiltak")."""
    return compose_with_themes(question, week, region, rng)[0]


def compose_with_themes(question: str, week: int, region: str, rng: random.Random) -> tuple[str, list[str]]:
    """Like :func:`compose`, and also return the template themes the answer was built from.

    The themes are the generator's own plan (template pools), not annotations: they are
    used to check that trends are in the data, never as gold labels.
    """
    probs = theme_probabilities(question, week, region)
    if question == "tiltak":
        return _compose_tiltak(probs, rng)
    pools = MILJO if question == "miljo" else BEKYMRING
    themes = _pick_themes(rng, probs, max_themes=3)
    sentences = [_fill(rng.choice(pools[theme]), rng) for theme in themes]
    if rng.random() < probs["ingen"]:  # a negated mention of a theme not asserted here
        options = [tpl for theme, tpl in NEGATED[question] if theme not in themes]
        sentences.append(_fill(rng.choice(options), rng))
    if not sentences:
        sentences.append(_fill(rng.choice(pools["ingen"]), rng))
    if rng.random() < probs["noise"] or (len(sentences) == 1 and rng.random() < 0.15):
        sentences.insert(rng.randrange(len(sentences) + 1), _fill(rng.choice(pools["noise"]), rng))
    return _join(sentences, rng), themes


def _join(sentences: list[str], rng: random.Random) -> str:
    """Join sentences with a space, or now and then a line break; vary the last one."""
    sentences = sentences[:-1] + [_casual(sentences[-1], rng)]
    if rng.random() < 0.1 and sentences[0][1:2].islower():
        sentences[0] = sentences[0][0].lower() + sentences[0][1:]
    sep = "\n" if rng.random() < 0.1 else " "
    return sep.join(sentences)


def _compose_tiltak(probs: dict[str, float], rng: random.Random) -> tuple[str, list[str]]:
    if rng.random() < probs["noise"]:  # no measure named: "Ordinær drift."
        parts = [rng.choice(TILTAK_NOISE)]
        if rng.random() < 0.3:
            parts.append(rng.choice(TILTAK_NEGATED)[1])
        return _join(parts, rng), []
    themes = _pick_themes(rng, probs, max_themes=4)
    style = rng.random()
    parts: list[str] = []
    if themes and style < 0.35:  # a short list: "Matpakker, rent brukerutstyr og telefonoppfølging."
        phrases = [rng.choice(TILTAK[t])[0] for t in themes]
        text = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " og " + phrases[-1]
        parts.append(_fill(_capitalize(text) + ".", rng))
    elif themes and style < 0.5:  # a bullet list with line breaks
        parts.append("\n".join("- " + rng.choice(TILTAK[t])[0] for t in themes))
    else:
        parts.extend(_fill(rng.choice(TILTAK[t])[1], rng) for t in themes)
    if rng.random() < probs["negated"]:
        parts.append(rng.choice([tpl for theme, tpl in TILTAK_NEGATED if theme not in themes]))
    if not parts:
        parts.append(rng.choice(TILTAK_NOISE))
    if any(p.startswith("- ") for p in parts):
        return "\n".join(parts), themes
    return _join(parts, rng), themes


def _week_value(week: int, rng: random.Random) -> int | str:
    """The week as respondents and survey tools write it: 18, "uke 18", "Uke 18 2020", ..."""
    wednesday = dt.date.fromisocalendar(YEAR, week, 3)
    forms: list[tuple[int | str, float]] = [
        (week, 0.35),
        (f"uke {week}", 0.2),
        (f"Uke {week} {YEAR}", 0.15),
        (f"{YEAR}-W{week:02d}", 0.1),
        (wednesday.strftime("%d.%m.%Y"), 0.12),
        (wednesday.isoformat(), 0.08),
    ]
    return rng.choices([f for f, _ in forms], weights=[w for _, w in forms])[0]


def build_rows(seed: int = SEED) -> list[dict[str, object]]:
    """Rows of the example export (one per respondent and week), in column order."""
    rng = random.Random(seed)
    rows: list[dict[str, object]] = []
    sizes = {region: rng.choices(MUNICIPALITY_SIZES, weights=(5, 3, 2), k=40) for region in REGIONS}
    next_id = 1001
    for week in WEEKS:
        for region in REGIONS:
            n = RESPONDENTS[region] + rng.choice((-1, 0, 0, 1))
            if region == "Sørlandet" and week == WEEKS[-1]:
                n = 0  # no answers from Sørlandet in the last week, as in the real week 28
            for _ in range(max(n, 0)):
                row: dict[str, object] = {
                    ID_COL: next_id,
                    WEEK_COL: _week_value(week, rng),
                    YEAR_COL: YEAR,
                    REGION_COL: region,
                    SIZE_COL: rng.choice(sizes[region]),
                }
                for key, header in QUESTIONS.items():
                    empty_p = {"miljo": 0.12, "bekymring": 0.08, "tiltak": 0.06}[key]
                    if rng.random() < empty_p:
                        row[header] = rng.choice(EMPTY_ANSWERS)
                    else:
                        row[header] = compose(key, week, region, rng)
                rows.append(row)
                next_id += 1
    _place_specials(rows, rng)
    return rows


def _place_specials(rows: list[dict[str, object]], rng: random.Random) -> None:
    """Put each special answer once into a distinct, non-empty cell of its question."""
    used: set[int] = set()
    for key, texts in SPECIALS.items():
        header = QUESTIONS[key]
        for text in texts:
            candidates = [i for i, r in enumerate(rows) if i not in used and str(r[header]).strip() not in ("", "-")]
            i = rng.choice(candidates)
            used.add(i)
            rows[i][header] = _fill(text, rng)


def _iso_week(week: int) -> str:
    return f"{YEAR}-W{week:02d}"


def iter_comments(n: int, seed: int = 1) -> Iterator[dict[str, str]]:
    """Stream ``n`` constructed, non-empty comments as plain dicts.

    Each dict has ``id``, ``week`` (ISO, e.g. "2020-W28"), ``region``, ``question`` (the
    column header) and ``text``. Weeks, regions and questions cycle so that any ``n``
    covers them evenly; used by ``bench/bench_tag.py``.
    """
    rng = random.Random(seed)
    keys = list(QUESTIONS)
    for i in range(n):
        key = keys[i % len(keys)]
        region = REGIONS[(i // len(keys)) % len(REGIONS)]
        week = WEEKS[(i // (len(keys) * len(REGIONS))) % len(WEEKS)]
        yield {
            "id": f"b{i + 1}",
            "week": _iso_week(week),
            "region": region,
            "question": QUESTIONS[key],
            "text": compose(key, week, region, rng),
        }


# ---------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------
def _cell(value: object) -> object:
    """Blank answers are empty cells in Excel (a lone "-" stays as typed)."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def write_xlsx(rows: Sequence[dict[str, object]], path: Path) -> None:
    """Write the rows as an Excel workbook with one sheet, reproducible to the byte."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_NAME
    ws.append(list(COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([_cell(row[c]) for c in COLUMNS])
    wrap = Alignment(wrap_text=True, vertical="top")
    for col_idx, name in enumerate(COLUMNS, start=1):
        letter = ws.cell(row=1, column=col_idx).column_letter
        ws.column_dimensions[letter].width = 60 if name in QUESTIONS.values() else 16
        if name in QUESTIONS.values():
            for (cell,) in ws.iter_rows(min_row=2, min_col=col_idx, max_col=col_idx):
                cell.alignment = wrap
    ws.freeze_panes = "A2"
    wb.properties.creator = "fritekst corpus/example/make_example.py (constructed data)"
    wb.properties.title = "Konstruert eksempel: Korona og rus, fritekstsvar"
    wb.properties.created = FIXED_TIME
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(_fix_zip_times(buffer.getvalue()))


def _fix_zip_times(data: bytes) -> bytes:
    """Pin the timestamps openpyxl writes (zip entries, docProps/core.xml) to FIXED_TIME."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    content,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, content)
    return out.getvalue()


def write_csv(rows: Sequence[dict[str, object]], path: Path) -> None:
    """Write the rows as Norwegian Excel does: semicolons, cp1252, CRLF, quoted line breaks."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if _cell(row[c]) is None else row[c] for c in COLUMNS])
    path.write_bytes(buffer.getvalue().encode("cp1252"))


def write_outputs(rows: Sequence[dict[str, object]], folder: Path = HERE) -> tuple[Path, Path]:
    """Write ``svar.xlsx`` and ``svar.csv`` into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    xlsx, csv_path = folder / "svar.xlsx", folder / "svar.csv"
    write_xlsx(rows, xlsx)
    write_csv(rows, csv_path)
    return xlsx, csv_path


def counts(rows: Sequence[dict[str, object]]) -> dict[str, int]:
    """Counts for the README: rows, answer cells, non-empty comments, empties, weeks, regions."""
    cells = [str(r[h]) for r in rows for h in QUESTIONS.values()]
    empty = sum(1 for c in cells if c.strip() in ("", "-"))
    return {
        "rows": len(rows),
        "answer_cells": len(cells),
        "comments": len(cells) - empty,
        "empty": empty,
        "weeks": len(WEEKS),
        "regions": len({r[REGION_COL] for r in rows}),
        "questions": len(QUESTIONS),
    }


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: regenerate the example export (``--out`` for another folder)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write svar.xlsx and svar.csv to")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed (default %(default)s)")
    args = parser.parse_args(argv)
    rows = build_rows(args.seed)
    xlsx, csv_path = write_outputs(rows, args.out)
    print(f"wrote {xlsx} and {csv_path}: {counts(rows)}")


if __name__ == "__main__":
    main()
