// Top-level domains that make a bare `name.tld` a link on X: every two-letter country code and
// the generic TLDs marketing text commonly uses (a subset of twitter-text's list).

const COUNTRY_CODES = `ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br
bs bt bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg er es et eu
fi fj fk fm fo fr ga gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn hr ht hu id ie il im in io iq
ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mg mh mk ml
mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr
ps pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj
tk tl tm tn to tr tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw`

const GENERIC = `com net org info biz edu gov mil int name pro mobi aero asia cat coop jobs museum tel travel
app dev page blog shop store online site tech news xyz club live life world today space website cloud digital
agency media studio design email fun art link click top vip inc ltd llc company business global network
solutions services support systems marketing academy center group guru health fashion photo photography video
music games social team zone one eco green bike fit style beauty boutique market sale deals discount promo
events tickets tours holiday restaurant cafe bar pizza menu wine beer coffee organic garden house home estate
properties realty finance money bank insurance capital fund tax legal law consulting partners ventures
careers jobs education school university college training coach software tools plus pet dog vet care clinic
dental doctor fitness yoga golf football basketball run city london nyc paris berlin tokyo amazon google apple`

/** Country-code TLDs: a bare `name.cc` with no subdomain and no path is not a link (except .co and .tv). */
export const COUNTRY_CODE_TLDS: ReadonlySet<string> = new Set(COUNTRY_CODES.split(/\s+/))

export const LINKABLE_TLDS: ReadonlySet<string> = new Set([...COUNTRY_CODE_TLDS, ...GENERIC.split(/\s+/)])
