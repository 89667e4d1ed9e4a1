"""The Danish free text of the demo answers: phrase pools.

The biggest challenge (keyed by the association's largest need), recommendations to the
municipality (by need and general), comments (baseline and follow-up) and comments on network
meetings. Fictional texts, drawn by the answer model of :mod:`fslt_survey.demo.model`; re-exported
by :mod:`fslt_survey.demo`.
"""

from __future__ import annotations

__all__ = [
    "CHALLENGES",
    "COMMENTS",
    "COMMENTS_LATER",
    "MEETING_COMMENTS",
    "RECOMMENDATIONS",
    "RECOMMENDATIONS_GENERAL",
]

# --------------------------------------------------------------------------- Danish free text

#: Largest challenge, by the association's largest need (the suffix of its ``behov_*`` item).
CHALLENGES: dict[str, tuple[str, ...]] = {
    "rekruttering": (
        "Vi mangler yngre frivillige, og de nuværende er ved at blive trætte.",
        "Det er svært at rekruttere nye frivillige, især nogen der vil tage en fast vagt.",
        "Vi har for få frivillige til at holde åbent alle ugens dage.",
        "Nye frivillige vil gerne hjælpe en gang imellem, men ikke binde sig.",
    ),
    "fastholdelse": (
        "Vi mister frivillige efter kort tid, når opgaverne vokser.",
        "Det er svært at holde på de frivillige – mange flytter eller får nyt job.",
    ),
    "bestyrelse": (
        "Ingen vil stille op til bestyrelsen; formanden har siddet i 14 år og vil gerne stoppe.",
        "Generationsskifte i bestyrelsen – de fleste af os er over 75.",
        "Vi kan ikke finde en ny kasserer.",
    ),
    "fundraising": (
        "Økonomien er stram, og fondsansøgninger tager meget tid.",
        "Vi søger fonde hele tiden, men får oftest afslag.",
        "Vores faste tilskud er faldet, og vi har svært ved at finde nye midler.",
    ),
    "paragraf18": (
        "§18-ansøgningen og afrapporteringen er tung for en lille forening.",
        "Vi ved ikke, om vi kan søge §18-midler til vores aktiviteter.",
    ),
    "regnskab": (
        "Regnskab og revision er svært for os, der er frivillige.",
        "Vores kasserer stopper, og ingen andre kan finde ud af regnskabet.",
    ),
    "gdpr": (
        "GDPR og de digitale systemer er en udfordring for mange af vores medlemmer.",
        "Vi er usikre på, hvordan vi må opbevare oplysninger om medlemmerne.",
        "Hjemmesiden er forældet, og ingen af os kan opdatere den.",
    ),
    "kommunikation": (
        "Vi er for lidt synlige – mange i kommunen kender os slet ikke.",
        "Det er svært at nå ud til nye medlemmer via sociale medier.",
    ),
    "lokaler": (
        "Vi mangler et fast lokale og flytter rundt mellem biblioteket og private hjem.",
        "Lokalerne er for dyre, og vi kan ikke opbevare vores materialer.",
        "Vi har brug for et roligt lokale om aftenen, hvor vi kan tale fortroligt.",
    ),
    "forsikring": ("Vi er i tvivl om, hvordan vores frivillige er forsikret ved ture og kørsel.",),
    "boerneattester": ("Det tager lang tid at indhente børneattester på nye frivillige.",),
    "uddannelse": (
        "Vores frivillige efterspørger kurser, men vi har ikke råd.",
        "Nye frivillige skal klædes bedre på, før de går i gang.",
    ),
    "selvhjaelp": (
        "Gruppelederne står med svære samtaler og har brug for supervision.",
        "Vi har svært ved at finde deltagere, selv om behovet er der.",
        "Det er svært at finde nye gruppeledere, når de gamle stopper.",
    ),
}
RECOMMENDATIONS: dict[str, tuple[str, ...]] = {
    "paragraf18": (
        "Gør §18-ansøgningen enklere, og giv svar tidligere på året.",
        "Giv flerårige §18-bevillinger, så vi kan planlægge.",
    ),
    "lokaler": (
        "Stil gratis lokaler til rådighed om aftenen og i weekenden.",
        "Forenkl reglerne for lån af kommunale lokaler.",
    ),
    "rekruttering": ("Hjælp med at gøre frivilligt arbejde synligt, fx på kommunens hjemmeside.",),
    "fundraising": ("Giv flerårige bevillinger, så vi kan planlægge.",),
    "selvhjaelp": ("Henvis borgere til selvhjælpsgrupperne fra jobcenter og sundhedscenter.",),
}
RECOMMENDATIONS_GENERAL = (
    "Giv os én fast kontaktperson i kommunen.",
    "Inddrag foreningerne, før beslutningerne er truffet – ikke bagefter.",
    "Anerkend det frivillige arbejde, fx med en årlig frivilligpris.",
    "Lav en samlet oversigt over, hvem man kontakter om hvad.",
    "Brug os som samarbejdspartner, ikke som gratis arbejdskraft.",
    "Gør §18-ansøgningen enklere.",
)
COMMENTS = (
    "Tak for god hjælp med fondsansøgningen sidste år!",
    "Vi kendte ikke til alle jeres tilbud – send gerne en oversigt.",
    "Nyhedsbrevet er for langt.",
    "Kurser i regnskab for små foreninger ville være godt.",
    "I gør et stort arbejde – fortsæt!",
    "Gerne mere hjælp til hjemmeside og GDPR.",
    "Huset på Rustenborgvej er dejligt, men svært at booke.",
)
COMMENTS_LATER = (
    "Netværksmøderne har været en stor hjælp for os.",
    "Det er blevet lettere at finde ud af, hvem vi skal kontakte i kommunen.",
)
MEETING_COMMENTS = (
    "Mere tid til at tale sammen i mindre grupper.",
    "Gerne møder om aftenen, så de der arbejder kan deltage.",
    "Godt oplæg, men for lidt tid til spørgsmål.",
    "Send gerne materialet ud bagefter.",
    "Flere konkrete eksempler fra andre foreninger.",
    "Invitér kommunen med næste gang.",
    "Kaffe og kage var dejligt :-)",
)
