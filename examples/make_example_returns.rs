//! Regenerates the shipped example returns in `input/returns/`: what Preston's
//! lead agencies sent back for 2018-19 Q1 to Q4, written as they would have
//! written them. Most are the tool's own form filled in (made with
//! `csp_report::forms::build_form`); the police and the Providers' Forum use
//! spreadsheets of their own; Children's Social Care sends an `.ods`;
//! Community Gateway a semicolon-separated `.csv`; Public Health does not
//! return in Q3. Q1, Q2 and Q4 are clean (Q4 is the year end, for the
//! year review: some actions delivered, some carried forward). Q3 carries a few realistic mistakes and the
//! statuses that make the board's exceptions worth reading; every one is
//! listed, with its place and expected diagnostic code, in
//! `input/PLANTED.md`, which this program also writes.
//!
//! Run from anywhere: `cargo run --example make_example_returns`.
//! Everything is deterministic (fixed document dates, no clock); the `.ods`
//! needs LibreOffice (`libreoffice --headless --convert-to ods`), and when it
//! is not installed the committed `.ods` is kept and the program says so.

use anyhow::{bail, Context, Result};
use chrono::NaiveDate;
use csp_report::forms::{self, col, FilledRow, FilledValue, FormSettings, HEADER_ROW, PROGRESS_SHEET};
use csp_report::history::{History, PastAction, PastUpdate, PreviousPeriod};
use csp_report::plan::{load_plan, timescale::parse_uk_date, Period, Plan};
use csp_report::progress::{QuarterState, Reason};
use csp_report::status::Status;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook};
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// One agency's row as typed: (agency, action, status as typed, % complete
/// (-1 for none), progress update, next steps, issues / risks, revised date
/// as typed ("" for none)).
type Entry = (&'static str, &'static str, &'static str, i32, &'static str, &'static str, &'static str, &'static str);

/// 2018-19 Q2 (July to September 2018): a clean quarter.
const Q2: &[Entry] = &[
    // Lancashire Constabulary: its own spreadsheet, RAG letters.
    ("police", "CS1", "G", 40, "City Safe radio link now used by 38 licensed premises. Weekly intelligence briefing shared with the BID Business Crime Partnership since July; 14 exclusion notices issued through Pubwatch.", "Extend the radio scheme to Fishergate retailers in Q3.", "", ""),
    ("police", "CS2", "G", -1, "Joint night-time economy patrols with BID Taxi Marshals every Friday and Saturday. Purple Flag reassessment walkabout supported on 24 August.", "Plan the Freshers' Week operation with UCLan.", "", ""),
    ("police", "CS5", "G", -1, "Operation Sanctuary targeted street drinking at the bus station and Flag Market: 9 Community Protection Warnings and 2 Community Protection Notices issued jointly with council enforcement officers.", "Support the council's PSPO consultation.", "", ""),
    ("police", "SOC1", "G", -1, "Three warrants executed under Operation Warrior in Ribbleton and Deepdale; 11 arrests for supply offences. The knife amnesty bin at Preston Police Station collected 43 bladed articles.", "Test purchase operation with Trading Standards on knife sales to under-18s.", "", ""),
    ("police", "SOC2", "A", 30, "Referral pathway into Divert agreed in principle with Children's Social Care, but the information-sharing agreement is still awaiting sign-off by county council legal services.", "Escalate the ISA sign-off through the CSP chair.", "Until the ISA is signed, referrals are made case by case.", ""),
    ("police", "SOC3", "G", -1, "Modern slavery briefings delivered to 6 neighbourhood teams and to staff at 4 hand car washes during Operation Aidant (17-21 September).", "Brief BID members in November.", "", ""),
    ("police", "SOC5", "G", -1, "Missing from home return interviews reviewed with Children's Social Care. Philomena Protocol launched with 12 residential children's homes in Preston.", "Monitor repeat missing episodes.", "", ""),
    ("police", "SO1", "G", -1, "'Ask for Angela' refreshed in 52 licensed premises; officers staffed the consent stall at the UCLan induction fair.", "Freshers' Week consent campaign with the Students' Union.", "", ""),
    ("police", "SO4", "G", -1, "CSE awareness sessions delivered to taxi drivers as part of licence renewal: 86 drivers trained this quarter.", "Continue with the licensing team.", "", ""),
    ("police", "ASB1", "G", -1, "MATAC established: first meeting 11 July; 7 complex cases adopted (Plungington 3, Fishwick 2, city centre 2).", "Review the first cases at the October meeting.", "", ""),
    ("police", "ASB2", "G", -1, "ASB legislation refresher (Community Protection Notices, Closure Orders) delivered to 24 PCSOs and 6 housing officers.", "CPS-led training for PCSOs in Q3.", "", ""),
    ("police", "ASB3", "G", -1, "PCSOs referred 17 young people to Brightsparx and Twilight football over the summer holidays.", "Bonfire night diversionary programme.", "", ""),
    // Preston City Council.
    ("pcc", "CS1", "Green", 35, "City Safe steering group met in July and September. The council has funded the City Safe co-ordinator post to March 2019.", "Agree the 2019 City Safe action plan.", "", ""),
    ("pcc", "CS2", "Green", -1, "Licensing officers visited 31 late-night venues with the police. Purple Flag reassessment submitted.", "Await the Purple Flag decision.", "", ""),
    ("pcc", "CS3", "Green", 20, "Business case for the CCTV upgrade approved by Cabinet (£180k capital). Specification for replacing 34 analogue cameras with HD units drafted.", "Issue the tender in October.", "", ""),
    ("pcc", "CS5", "Green", -1, "Enforcement officers and police issued Community Protection Warnings to 9 people. The consultation on a city-centre Public Spaces Protection Order closed on 31 August with 412 responses.", "Report the PSPO to Cabinet in November.", "", ""),
    ("pcc", "DA3", "Not started", 0, "Not started: the White Ribbon accreditation application is waiting for a decision on who funds the accreditation fee.", "Raise funding at the October CSP board.", "No budget identified for the fee.", ""),
    ("pcc", "ASB1", "Green", -1, "The council chairs MATAC; a case management log is kept on the secure partnership drive.", "Invite housing standards officers.", "", ""),
    ("pcc", "ASB2", "Green", -1, "Briefing on ASB powers delivered to ward councillors on 19 September.", "Revise the council ASB policy.", "", ""),
    // University of Central Lancashire.
    ("uclan", "CS1", "Green", 30, "The Students' Union joined City Safe in August. Freshers' Week safety plan agreed with police and the BID, including Street Pastors at the Students' Union from 22 to 29 September.", "Report on Freshers' Week in Q3.", "", ""),
    // Preston BID.
    ("bid", "CS1", "Amber", 25, "Business Crime Partnership membership is 46 businesses against a target of 60. The store detective network meets monthly.", "Membership drive in October.", "Smaller retailers cite the £150 membership fee.", ""),
    ("bid", "CS2", "Green", -1, "Taxi Marshals deployed on Friday and Saturday nights (23:00-04:00) at the Fishergate and Church Street ranks: 5,200 passengers marshalled.", "Christmas deployment plan.", "", ""),
    ("bid", "CS3", "Green", 20, "The BID has committed £15k to the CCTV upgrade. BID radio users trained on the new incident log.", "Take part in tender evaluation.", "", ""),
    // National Probation Service.
    ("probation", "CS4", "Green", -1, "14 Alcohol Treatment Requirements made in Q2 (Q1: 9). Joint clinic with Inspire at the Preston office started in August.", "Review completion rates.", "", ""),
    ("probation", "SOC2", "Green", -1, "Probation officers trained in gang disengagement; 3 young adults on licence supported to relocate away from gang associates.", "Refer to the Divert adult pilot when it opens.", "", ""),
    ("probation", "RO1", "Green", -1, "Through-the-gate pathway agreed with HMP Preston and CLCRC. 96% of high-risk releases had accommodation on the day of release.", "Quarterly review with HMP Preston.", "", ""),
    // Public Health.
    ("public-health", "CS4", "Green", -1, "Identification and Brief Advice training delivered to 35 front-line staff. Alcohol-related hospital admissions data for Preston shared with the CSP analyst.", "Second IBA course in November.", "", ""),
    // Treatment Services.
    ("treatment-services", "CS4", "Green", -1, "Inspire outreach worker joins night-time economy patrols fortnightly. 22 new alcohol treatment starts from criminal justice referrals.", "Continue outreach through Christmas.", "", ""),
    ("treatment-services", "RO2", "Green", -1, "Referral form for the Early Intervention panels agreed; 6 reoffenders referred into treatment.", "Track engagement of referrals.", "", ""),
    // Preston Genga Group.
    ("genga", "SOC1", "Green", -1, "Partners shared intelligence on 4 emerging groups. A retailers' pledge not to sell knives to under-18s has been signed by 14 shops.", "Widen the pledge to Deepdale Road.", "", ""),
    ("genga", "SOC3", "Green", -1, "Modern slavery awareness training delivered to 40 front-line staff across Genga partners.", "Partnership visits to car washes.", "", ""),
    ("genga", "SOC4", "Amber", 40, "Schools programme on gangs and lifestyle choices delivered in 3 of the 8 planned high schools. Two schools withdrew because of timetable pressure.", "Offer sessions within PSHE days in the spring term.", "Schools' capacity.", ""),
    // Lancashire Children's Social Care.
    ("lcsc", "SOC2", "Green", -1, "Contextual safeguarding meetings held for 2 peer groups in Preston East.", "Map locations of concern with police.", "", ""),
    ("lcsc", "SOC3", "Green", 60, "2 children referred to the National Referral Mechanism. All Preston social workers have completed the child criminal exploitation e-learning.", "Launch the CCE toolkit for schools.", "", ""),
    ("lcsc", "SOC5", "Green", -1, "Return home interviews completed within 72 hours for 84% of missing episodes.", "Target: 90%.", "", ""),
    ("lcsc", "SO1", "Green", -1, "Case studies (anonymised) supplied for the consent campaign.", "Healthy relationships leaflet for family support workers.", "", ""),
    // Youth Offending Team.
    ("yot", "SOC2", "Green", -1, "All YOT case workers trained in the CCE screening tool; 5 young people screened as at risk.", "Screen every new referral.", "", ""),
    ("yot", "ASB3", "Green", -1, "Reparation: 8 young people completed projects with the Canal & River Trust on the Lancaster Canal.", "Reparation at Avenham Park.", "", ""),
    // Early Action Team.
    ("early-action-team", "SOC4", "Green", -1, "Summer diversionary programme in Ribbleton: 3 weeks, 48 young people.", "Mentoring scheme from October.", "", ""),
    // Providers' Forum.
    ("forum-members", "SOC5", "Green", -1, "Members circulated the missing-person leaflet through family support services.", "Distribute at community centres.", "", ""),
    ("forum-members", "SO1", "Green", -1, "Rape Crisis and the SARC presented to the Forum; awareness stall at the Preston Mela in July.", "Plan for the 16 Days of Action.", "", ""),
    ("forum-members", "SO3", "Green", -1, "Members supplied anonymised service data to the CSP analyst for the sexual offending research.", "Further data in Q3.", "", ""),
    ("forum-members", "SO4", "Green", -1, "CSE awareness session offered to holiday club providers; 9 attended.", "Second session in December.", "", ""),
    ("forum-members", "DA1", "Green", 80, "Providers' Forum relaunched on 12 July with agreed terms of reference. 19 organisations attend, including the refuge, the IDVA service and Polish and South Asian community groups.", "Publish a referral directory.", "", ""),
    ("forum-members", "DA2", "Green", 60, "Awareness campaign on honour based abuse and forced marriage planned with community groups for October and November.", "Translate leaflets.", "", ""),
    ("forum-members", "DA3", "Not started", 0, "The Forum will nominate White Ribbon Champions once the council's accreditation is confirmed.", "", "Depends on the council's accreditation.", ""),
    ("forum-members", "DA4", "Green", 40, "Service mapping started: 23 services listed. Early gaps: support for male victims and for victims over 65.", "Complete the mapping.", "", ""),
    // CSEG members.
    ("cseg-members", "EI1", "Green", 25, "Pilot locality agreed: Ribbleton. Baseline survey of 40 practitioners on barriers to early intervention completed.", "Present findings to CSEG in November.", "", ""),
    // OPCC and the steering group.
    ("opcc", "SO2", "Green", -1, "OPCC funding of £40k confirmed for the Health Setting Support pilot; steering group formed.", "ISVA in post from October.", "", ""),
    ("steering-group-members", "SO2", "Green", -1, "Steering group met twice; pathway from the Emergency Department to the hospital ISVA agreed.", "Emergency Department staff training.", "", ""),
    // CSP Analyst.
    ("csp-analyst", "SO3", "Green", 30, "Data collected from police, the SARC and Forum members; ward-level mapping under way.", "Analysis complete in Q3.", "", ""),
    ("csp-analyst", "RO3", "Amber", 20, "Scoping of the drug research is behind plan: the data-sharing agreement for treatment data has not been signed.", "Seek sign-off through Public Health.", "Analyst time is shared with the Strategic Assessment.", ""),
    // City Safe.
    ("city-safe", "SO3", "Green", -1, "City Safe shared night-time economy incident data for the research.", "Map incidents by venue.", "", ""),
    // Community Gateway.
    ("cga", "ASB1", "Green", -1, "Gateway's tenancy enforcement officer attends MATAC; 3 Gateway cases adopted.", "Offer neighbour mediation in MATAC cases.", "", ""),
    ("cga", "ASB2", "Green", -1, "Housing officers trained on Community Protection Notices and civil injunctions.", "Use injunctions where warnings fail.", "", ""),
    // Children and Family Wellbeing Service: this text is sent again, word for word, in Q3.
    ("cfws", "ASB3", "Green", 50, "CFWS youth workers deliver detached sessions in Ribbleton and Larches on Tuesday and Thursday evenings. 34 young people engaged this quarter and 9 referred to positive activities.", "Continue detached sessions.", "", ""),
    // Early Intervention Panel.
    ("early-intervention-panel", "RO2", "Green", -1, "The panel meets fortnightly: 9 cases heard, 6 of them with substance misuse needs.", "Add reoffending risk to the referral form.", "", ""),
    // CLCRC.
    ("clcrc", "RO2", "Green", -1, "Responsible officers can now refer directly to the Early Intervention panels.", "Monitor referrals.", "", ""),
    ("clcrc", "RO3", "Green", -1, "CLCRC shared anonymised drug testing data for the research.", "", "", ""),
    ("clcrc", "RO4", "Green", 15, "Task and finish group terms of reference drafted.", "First meeting in October.", "", ""),
    ("clcrc", "RO5", "Green", 60, "Building Better Relationships programme running in HMP Preston: first cohort of 8 men started in August.", "Evaluate the first cohort.", "", ""),
    // Task and finish group.
    ("task-and-finish-group", "RO3", "Green", -1, "Research questions agreed with the CSP analyst.", "Review interim data.", "", ""),
    ("task-and-finish-group", "RO4", "Green", 10, "Membership agreed: CLCRC, Inspire, police, Public Health and the council.", "Meet in October.", "", ""),
];

/// 2018-19 Q3 (October to December 2018). Public Health did not return.
const Q3: &[Entry] = &[
    ("police", "CS1", "G", 65, "Radio link extended to 21 Fishergate retailers; the City Safe weekly briefing now includes BID store detectives.\nShop theft in the BID area is down 12% on Q3 last year.", "Evaluate the radio link with the BID in Q4.", "", ""),
    ("police", "CS2", "G", -1, "Operation Mistletoe (30 November to 1 January) ran with BID Taxi Marshals and Street Pastors; no serious violence at the Fishergate taxi rank over the Christmas period.", "Debrief with the BID in January.", "", ""),
    ("police", "CS5", "G", -1, "Joint patrols continue; 3 Community Protection Notices issued. Two entrenched street drinkers engaged with Inspire after joint outreach.", "Enforce the new PSPO.", "", ""),
    // Planted: "Gren" is not a status.
    ("police", "SOC1", "Gren", 60, "Operation Warrior: 2 further warrants; a firearm and 2 kg of cannabis recovered. Test purchase with Trading Standards: 2 of 9 retailers sold a knife to a 16-year-old volunteer; both given written warnings and staff training.", "Repeat test purchases in March.", "", ""),
    ("police", "SOC2", "G", 55, "Information-sharing agreement signed on 2 November. 9 young people referred to Divert in November and December; 6 engaged.", "Review outcomes with Divert.", "", ""),
    ("police", "SOC3", "G", -1, "2 National Referral Mechanism referrals from a city-centre nail bar after a partnership visit. Modern slavery briefing given to BID members on 15 November.", "Further visits with Genga.", "", ""),
    ("police", "SOC5", "G", -1, "All 12 homes follow the Philomena Protocol; repeat missing episodes from care fell from 41 in Q2 to 29 in Q3.", "Share the figures with the Children's Partnership Board.", "", ""),
    ("police", "SO1", "G", -1, "Consent campaign ran through Freshers' Week with the UCLan Students' Union: 3,000 'Consent is…' beer mats distributed and 'Ask for Angela' posters refreshed.", "Spring campaign with the Forum.", "", ""),
    ("police", "SO4", "G", -1, "A further 64 taxi drivers trained. Awareness sessions given to staff at Preston Guild Hall and two trampoline parks.", "Cinemas and leisure centres next.", "", ""),
    ("police", "ASB1", "G", -1, "MATAC: 12 cases open and 5 closed with fewer calls (one Fishwick case down from 18 calls a month to 2). Mediation used in 3 cases.", "Add Gateway's mediation offer to every case plan.", "", ""),
    ("police", "ASB2", "G", 50, "Closure order secured for a flat in Avenham (drug-related ASB) on 8 November. The CPS-led training on ASB powers for PCSOs was moved by the CPS to February.", "Deliver the CPS training in February.", "", ""),
    ("police", "ASB3", "G", -1, "Bonfire night diversionary programme delivered with Lancashire Fire and Rescue; deliberate fires in Ribbleton down on last year. 11 further referrals to positive activities.", "Easter holiday programme.", "", ""),
    ("pcc", "CS1", "Amber", 50, "The City Safe co-ordinator post has been vacant since 26 October; recruitment is under way. The steering group met in November.", "Interviews on 10 January 2019.", "The vacancy slows business engagement.", ""),
    ("pcc", "CS2", "Green", -1, "Purple Flag status retained for 2018-19 (announced 6 December). Licensing officers visited 27 premises.", "Action plan from the Purple Flag assessors' report.", "", ""),
    ("pcc", "CS3", "Amber", 35, "The CCTV tender came back over budget: the lowest compliant bid was £212k against £180k approved. Procurement is paused while the specification is reduced (wireless links to be phased).", "Re-tender with the revised specification in January; report to Cabinet on 13 February.", "Installation slips into 2019-20 unless more capital is found.", ""),
    ("pcc", "CS5", "Green", -1, "Cabinet approved the city-centre Public Spaces Protection Order on 14 November; in force from 1 December 2018. 5 fixed penalty notices issued for drinking in the restricted zone.", "Review PSPO use after three months.", "", ""),
    ("pcc", "DA3", "Not started", 0, "No progress this quarter. The White Ribbon accreditation application has not been started because the £2,500 fee has no budget.", "Bid to the OPCC community safety grant in January.", "No budget and no officer time allocated.", ""),
    ("pcc", "ASB1", "Green", -1, "MATAC meets monthly with 12 cases; council housing standards officers now attend.", "", "", ""),
    ("pcc", "ASB2", "Green", -1, "Two Community Protection Notices upheld on appeal at Preston Magistrates' Court. The council ASB policy now includes the Community Trigger process.", "Publish the revised policy.", "", ""),
    ("uclan", "CS1", "Green", 55, "Freshers' Week: Street Pastors deployed on 7 nights and assisted 126 people; the Students' Union reported no serious incidents.\nStudent ambassadors now attend City Safe meetings.", "Welcome Week plan for January.", "", ""),
    // Co-leads disagree: the BID says Red where the police and UCLan say Green.
    ("bid", "CS1", "Red", 30, "Business Crime Partnership membership fell to 41 after three national retailers withdrew from local schemes. The exclusion scheme cannot run until the data protection review is finished, and it has not been.", "Data protection review by the BID's solicitor; relaunch at the BID AGM.", "Without the exclusion scheme the BCP offers members little; further withdrawals are likely.", "30/06/2019"),
    ("bid", "CS2", "Green", -1, "Taxi Marshals and Street Pastors covered every December weekend and New Year's Eve: 7,900 passengers marshalled.", "", "", ""),
    ("bid", "CS3", "Amber", 30, "The BID's £15k remains committed, but the council's CCTV tender came back over budget and the upgrade is delayed.", "Join the re-specification meeting in January.", "", ""),
    ("probation", "CS4", "Green", -1, "17 Alcohol Treatment Requirements made; completion rate 71%.", "", "", ""),
    ("probation", "SOC2", "Green", -1, "4 young adults referred to the Divert adult pilot.", "", "", ""),
    ("probation", "RO1", "Green", -1, "Accommodation on release: 92%. Two people released to no fixed abode were referred to the council's Housing First team.", "Joint review with CLCRC.", "", ""),
    ("treatment-services", "CS4", "Green", -1, "Outreach continued through Christmas; 19 criminal justice treatment starts.", "", "", ""),
    ("treatment-services", "RO2", "Green", -1, "11 referrals from Early Intervention panels; 8 engaged with treatment (73%).", "", "", ""),
    ("genga", "SOC1", "Green", -1, "The knife pledge now has 21 shops. 'No Knives, Better Lives' sessions delivered in 5 youth clubs.", "", "", ""),
    ("genga", "SOC3", "Green", -1, "Partnership visits to 6 car washes; 1 referral to the National Referral Mechanism.", "", "", ""),
    // Planted: Amber with no progress update.
    ("genga", "SOC4", "Amber", 45, "", "Arrange spring term sessions with the two schools that withdrew.", "", ""),
    // Sent as .ods; planted: 150 % complete.
    ("lcsc", "SOC2", "Green", -1, "3 further peer-group contextual safeguarding meetings; locations of concern mapped with police.", "", "", ""),
    ("lcsc", "SOC3", "Green", 150, "CCE toolkit launched for Preston schools in November; 2 further NRM referrals.", "Evaluate toolkit use in the spring term.", "", ""),
    ("lcsc", "SOC5", "Green", -1, "Return home interviews within 72 hours: 89% of missing episodes.", "", "", ""),
    ("lcsc", "SO1", "Green", -1, "Healthy relationships leaflet translated into Polish and Urdu for family support workers.", "", "", ""),
    ("yot", "SOC2", "Green", -1, "9 young people screened; 4 referred to Divert; 1 NRM referral.", "", "", ""),
    ("yot", "ASB3", "Green", -1, "Reparation at Avenham Park with the parks team: 6 young people. The residents' group gave positive feedback.", "", "", ""),
    ("early-action-team", "SOC4", "Green", -1, "Mentoring for 12 young people identified by schools as at risk of gang involvement.", "", "", ""),
    // The Providers' Forum's own spreadsheet: its own status words.
    ("forum-members", "SOC5", "On track", -1, "Missing-person leaflet distributed at 4 community centres.", "", "", ""),
    ("forum-members", "SO1", "On track", -1, "The Forum supported the 16 Days of Action (25 November to 10 December) with daily social media posts.", "", "", ""),
    ("forum-members", "SO3", "On track", -1, "Further service data supplied to the analyst; the Forum will review the findings when published.", "", "", ""),
    ("forum-members", "SO4", "On track", -1, "Second session for holiday club providers held in December: 11 attended.", "", "", ""),
    ("forum-members", "DA1", "Completed", 100, "Providers' Forum established and meeting every six weeks with 23 member organisations. Referral directory published on the council website in November.", "", "", ""),
    ("forum-members", "DA2", "Some slippage", 70, "Campaign launched on 25 November with leaflets in English, Polish, Urdu and Gujarati. Urdu leaflet headline: «گھریلو زیادتی جرم ہے — خاموش نہ رہیں» (Domestic abuse is a crime — do not stay silent).\nCommunity radio slots are booked, but the mosque and temple sessions have not yet been delivered.", "Deliver the faith-setting sessions in February.", "Volunteer facilitators are hard to find.", ""),
    ("forum-members", "DA3", "Not yet started", 0, "Waiting for the council's White Ribbon accreditation before nominating Champions.", "", "Depends on the council.", ""),
    ("forum-members", "DA4", "On track", 70, "Mapowanie usług zakończone: 27 usług w Preston. Brakuje wsparcia dla ofiar powyżej 65. roku życia oraz dla mężczyzn.\nPolska grupa Forum przygotuje ulotkę w języku polskim na początku 2019 roku.", "", "", ""),
    // Planted: DA9 is not an action of the plan.
    ("forum-members", "DA9", "On track", -1, "Operation Encompass: schools are told the next morning when police attend a domestic abuse incident at a pupil's home. 14 Preston primary schools signed up.", "", "", ""),
    ("cseg-members", "EI1", "Green", 40, "Survey findings presented to CSEG in November: the main barriers are thresholds, information sharing and staff turnover. Two early help drop-ins held at Ribbleton Children's Centre.", "Agree pilot actions in January.", "", ""),
    ("opcc", "SO2", "Green", -1, "ISVA based at Royal Preston Hospital from 1 October; 23 patients supported in the first quarter.", "", "", ""),
    ("steering-group-members", "SO2", "Green", -1, "61 Emergency Department staff trained; the referral pathway is live.", "", "", ""),
    ("csp-analyst", "SO3", "Green", 55, "Ward-level analysis complete for police data. SARC data arrived in December and is being matched to wards.", "Draft findings to the Sexual Offences group in February.", "", ""),
    ("csp-analyst", "RO3", "Red", 25, "Research delayed: the data-sharing agreement for treatment data was only signed on 3 December, and the analyst was redeployed to the Lancashire Strategic Assessment for six weeks. The September deadline has been missed.", "Analyse police and treatment data; draft report to the task and finish group.", "Findings now expected at the end of February; RO4's interventions depend on them.", "28/02/2019"),
    ("city-safe", "SO3", "Green", -1, "Night-time economy sexual offences mapped by venue and shared with the analyst.", "", "", ""),
    // Sent as CSV; planted: impossible revised date; reports on ASB3, which it does not lead.
    ("cga", "ASB1", "Green", -1, "2 MATAC cases closed after mediation through Gateway's neighbour mediation service.", "", "", ""),
    ("cga", "ASB2", "Amber", 40, "Civil injunction against a Gateway tenant in Callon delayed by court listing; interim undertakings in place.", "Hearing expected in the new year.", "Court listing delays.", "13/13/2018"),
    ("cga", "ASB3", "Green", -1, "Gateway's youth team runs the Friday Night Project on Ribbleton Avenue:\n25 young people a week;\n3 referred on to Brightsparx.", "", "", ""),
    // The same text as Q2, word for word.
    ("cfws", "ASB3", "Green", 50, "CFWS youth workers deliver detached sessions in Ribbleton and Larches on Tuesday and Thursday evenings. 34 young people engaged this quarter and 9 referred to positive activities.", "Continue detached sessions.", "", ""),
    ("early-intervention-panel", "RO2", "Green", -1, "14 cases heard; the referral form now includes CLCRC's reoffending risk score.", "", "", ""),
    ("clcrc", "RO2", "Green", -1, "7 referrals to the panels this quarter.", "", "", ""),
    ("clcrc", "RO3", "Amber", 25, "CLCRC data supplied; waiting for the analyst's research.", "", "", ""),
    ("clcrc", "RO4", "Green", 30, "Task and finish group met on 2 October and 4 December.", "", "", ""),
    ("clcrc", "RO5", "Amber", 75, "First cohort completed (6 of 8 men). A local community programme has been drafted, but it needs HMPPS accreditation, which will not be complete before March.", "Submit the programme for accreditation.", "Accreditation timetable is outside local control.", "31/03/2019"),
    ("task-and-finish-group", "RO3", "Amber", 25, "Research delayed (see the CSP Analyst's update); the group is reviewing interim data.", "", "", ""),
    ("task-and-finish-group", "RO4", "Green", 30, "Draft list of targeted interventions: naloxone distribution and synthetic cannabinoid ('spice') awareness in hostels.", "Agree the list once the research reports.", "", ""),
];

/// 2018-19 Q1 (April to June 2018): the plan's first quarter. A clean
/// quarter: most actions starting; the Genga schools programme (SOC4) is
/// amber from the start and stays amber all year, so it is persistent by Q3.
const Q1: &[Entry] = &[
    (
        "police",
        "CS1",
        "G",
        20,
        "Radio link trial with 12 licensed premises in the city centre; City Safe briefing template agreed with the BID.",
        "Roll the radio link out to all Pubwatch members.",
        "",
        "",
    ),
    (
        "police",
        "CS2",
        "G",
        -1,
        "Night-time economy patrol plan for the summer agreed with the BID and licensing officers.",
        "Joint patrols with Taxi Marshals from July.",
        "",
        "",
    ),
    (
        "police",
        "CS5",
        "G",
        -1,
        "Street drinking hotspots mapped with council enforcement: bus station, Flag Market and Winckley Square.",
        "Operation Sanctuary in July.",
        "",
        "",
    ),
    (
        "police",
        "SOC1",
        "G",
        -1,
        "Operation Warrior intelligence cell set up; 2 warrants executed in Deepdale.",
        "Knife amnesty bin at Preston Police Station.",
        "",
        "",
    ),
    (
        "police",
        "SOC2",
        "G",
        10,
        "Divert referral pathway drafted with Children's Social Care.",
        "Agree the information-sharing agreement.",
        "",
        "",
    ),
    (
        "police",
        "SOC3",
        "G",
        -1,
        "Modern slavery lead officer named for Preston; briefing material prepared.",
        "Brief neighbourhood teams.",
        "",
        "",
    ),
    (
        "police",
        "SOC5",
        "G",
        -1,
        "Missing from home return interviews now shared with Children's Social Care within 72 hours.",
        "Launch the Philomena Protocol.",
        "",
        "",
    ),
    ("police", "SO1", "G", -1, "'Ask for Angela' posters reissued to licensed premises.", "Consent stall at UCLan induction.", "", ""),
    ("police", "SO4", "G", -1, "CSE awareness module added to taxi licence renewal training.", "First sessions in July.", "", ""),
    (
        "police",
        "ASB1",
        "G",
        -1,
        "MATAC terms of reference agreed with the council and Community Gateway.",
        "First meeting in July.",
        "",
        "",
    ),
    (
        "police",
        "ASB2",
        "G",
        -1,
        "ASB powers training needs collected from PCSOs and housing officers.",
        "Deliver the refresher in Q2.",
        "",
        "",
    ),
    (
        "police",
        "ASB3",
        "G",
        -1,
        "Summer diversion programme planned with Brightsparx and Twilight football.",
        "Refer young people over the holidays.",
        "",
        "",
    ),
    ("pcc", "CS1", "Green", 20, "City Safe steering group re-formed; co-ordinator post advertised.", "Appoint the co-ordinator.", "", ""),
    ("pcc", "CS2", "Green", -1, "Purple Flag reassessment timetable agreed.", "Prepare the submission.", "", ""),
    ("pcc", "CS3", "Green", 10, "CCTV camera survey complete: 34 analogue cameras need replacing.", "Business case to Cabinet.", "", ""),
    (
        "pcc",
        "CS5",
        "Green",
        -1,
        "Enforcement officers joined police on street drinking patrols.",
        "Consult on a Public Spaces Protection Order.",
        "",
        "",
    ),
    (
        "pcc",
        "DA3",
        "Not started",
        0,
        "White Ribbon accreditation not started: the fee is not yet budgeted.",
        "Find funding for the fee.",
        "No budget for the fee.",
        "",
    ),
    ("pcc", "ASB1", "Green", -1, "The council will chair MATAC; secure drive set up for case notes.", "Hold the first meeting.", "", ""),
    ("pcc", "ASB2", "Green", -1, "Council ASB policy review started.", "Brief ward councillors.", "", ""),
    ("uclan", "CS1", "Green", 15, "Students' Union agreed to join City Safe from August.", "Freshers' Week safety plan.", "", ""),
    (
        "bid",
        "CS1",
        "Amber",
        20,
        "Business Crime Partnership has 41 members against a target of 60.",
        "Membership drive.",
        "Membership fee puts off smaller retailers.",
        "",
    ),
    ("bid", "CS2", "Green", -1, "Taxi Marshal contract renewed to March 2019.", "Deploy at Fishergate and Church Street.", "", ""),
    ("bid", "CS3", "Green", 10, "The BID board agreed in principle to contribute to the CCTV upgrade.", "Confirm the sum.", "", ""),
    ("probation", "CS4", "Green", -1, "9 Alcohol Treatment Requirements made in Q1.", "Joint clinic with Inspire.", "", ""),
    ("probation", "SOC2", "Green", -1, "Gang disengagement training booked for probation officers.", "Train officers in Q2.", "", ""),
    ("probation", "RO1", "Green", -1, "Through-the-gate pathway drafted with HMP Preston.", "Agree it with CLCRC.", "", ""),
    ("public-health", "CS4", "Green", -1, "Identification and Brief Advice training commissioned.", "Deliver the training.", "", ""),
    ("treatment-services", "CS4", "Green", -1, "Inspire outreach worker recruited for night-time economy work.", "Join patrols.", "", ""),
    ("treatment-services", "RO2", "Green", -1, "Early Intervention panel referral criteria drafted.", "Agree the referral form.", "", ""),
    ("genga", "SOC1", "Green", -1, "Genga partners' intelligence-sharing protocol signed.", "Retailers' knife pledge.", "", ""),
    ("genga", "SOC3", "Green", -1, "Modern slavery training planned for front-line staff.", "Deliver training.", "", ""),
    (
        "genga",
        "SOC4",
        "Amber",
        20,
        "Schools programme on gangs and lifestyle choices agreed with 2 of the 8 high schools; the others have not replied.",
        "Follow up with head teachers.",
        "Schools cite a full timetable.",
        "",
    ),
    (
        "lcsc",
        "SOC2",
        "Green",
        -1,
        "Contextual safeguarding approach adopted for Preston East.",
        "Hold the first peer-group meetings.",
        "",
        "",
    ),
    (
        "lcsc",
        "SOC3",
        "Green",
        30,
        "Child criminal exploitation training rolled out to social workers.",
        "NRM referrals where indicated.",
        "",
        "",
    ),
    ("lcsc", "SOC5", "Green", -1, "Return home interviews completed within 72 hours for 79% of missing episodes.", "Target: 90%.", "", ""),
    ("lcsc", "SO1", "Green", -1, "Case studies being prepared for the consent campaign.", "Supply anonymised case studies.", "", ""),
    ("yot", "SOC2", "Green", -1, "CCE screening tool chosen for YOT case workers.", "Train all case workers.", "", ""),
    ("yot", "ASB3", "Green", -1, "Reparation projects agreed with the Canal & River Trust.", "Start projects in the summer.", "", ""),
    ("early-action-team", "SOC4", "Green", -1, "Summer diversionary programme planned for Ribbleton.", "Run it in August.", "", ""),
    ("forum-members", "SOC5", "Green", -1, "Missing-person leaflet agreed with the police.", "Circulate it.", "", ""),
    (
        "forum-members",
        "SO1",
        "Green",
        -1,
        "Rape Crisis and the SARC booked to present to the Forum.",
        "Awareness stall at the Preston Mela.",
        "",
        "",
    ),
    (
        "forum-members",
        "SO3",
        "Green",
        -1,
        "Members agreed to share anonymised data for the sexual offending research.",
        "Send data to the analyst.",
        "",
        "",
    ),
    ("forum-members", "SO4", "Green", -1, "Holiday club providers identified for CSE awareness sessions.", "First session in Q2.", "", ""),
    ("forum-members", "DA1", "Green", 30, "Terms of reference for the relaunched Providers' Forum drafted.", "Relaunch in July.", "", ""),
    ("forum-members", "DA2", "Green", 20, "Community groups approached for the honour based abuse campaign.", "Plan the campaign.", "", ""),
    ("forum-members", "DA3", "Not started", 0, "Waiting for the council's White Ribbon application.", "", "Depends on the council.", ""),
    ("forum-members", "DA4", "Green", 10, "Service mapping template agreed.", "Start mapping.", "", ""),
    ("cseg-members", "EI1", "Green", 10, "Early intervention pilot proposal written.", "Agree the pilot locality.", "", ""),
    ("opcc", "SO2", "Green", -1, "Bid for the Health Setting Support pilot being prepared.", "Confirm funding.", "", ""),
    (
        "steering-group-members",
        "SO2",
        "Green",
        -1,
        "Steering group membership agreed with the hospital trust.",
        "First meeting in July.",
        "",
        "",
    ),
    ("csp-analyst", "SO3", "Green", 10, "Research questions for the sexual offending profile agreed.", "Collect data.", "", ""),
    (
        "csp-analyst",
        "RO3",
        "Green",
        5,
        "Drug research scoping started; data-sharing agreement for treatment data requested.",
        "Sign the data-sharing agreement.",
        "",
        "",
    ),
    ("city-safe", "SO3", "Green", -1, "City Safe incident log opened to the analyst.", "Share night-time economy data.", "", ""),
    ("cga", "ASB1", "Green", -1, "Tenancy enforcement officer nominated for MATAC.", "Attend the first meeting.", "", ""),
    ("cga", "ASB2", "Green", -1, "Housing officers' training on ASB powers booked.", "Deliver training.", "", ""),
    ("cfws", "ASB3", "Green", 20, "Detached youth work planned for Ribbleton and Larches.", "Start sessions.", "", ""),
    ("early-intervention-panel", "RO2", "Green", -1, "The panel started meeting fortnightly in May.", "Agree referral routes.", "", ""),
    ("clcrc", "RO2", "Green", -1, "Referral route from responsible officers to the panels being agreed.", "Agree the route.", "", ""),
    ("clcrc", "RO3", "Green", -1, "CLCRC will share anonymised drug testing data.", "Share the data.", "", ""),
    ("clcrc", "RO4", "Green", 5, "Task and finish group on domestic abuse perpetrators proposed.", "Draft terms of reference.", "", ""),
    ("clcrc", "RO5", "Green", 30, "Building Better Relationships programme agreed with HMP Preston.", "First cohort in August.", "", ""),
    ("task-and-finish-group", "RO3", "Green", -1, "Group formed to steer the drug research.", "Agree research questions.", "", ""),
    ("task-and-finish-group", "RO4", "Green", 5, "Possible members approached.", "Agree membership.", "", ""),
];

/// 2018-19 Q4 (January to March 2019): the year end. A clean quarter:
/// some actions delivered (SO3; DA2 and RO5 late), some carried forward
/// (CS1 red and slipped, SOC4 amber all year, RO3 red again, DA3 slipped),
/// the ongoing ones on track.
const Q4: &[Entry] = &[
    ("police", "CS1", "G", 90, "Radio link used by 64 premises; evaluation with the BID shows shop theft in the BID area down 15% on last year.", "Hand the radio scheme to City Safe.", "", ""),
    ("police", "CS2", "G", -1, "Purple Flag retained in February. Joint patrols continue every weekend.", "Keep patrols through the summer.", "", ""),
    ("police", "CS5", "G", -1, "PSPO in force from 1 February: 14 Fixed Penalty Notices for street drinking.", "Review the PSPO at six months.", "", ""),
    ("police", "SOC1", "G", -1, "Operation Warrior: 6 more warrants and 19 arrests this quarter; knife crime in Preston down 8% on the year.", "Continue into 2019-20.", "", ""),
    ("police", "SOC2", "G", 80, "Information-sharing agreement signed in January; 11 young people referred into Divert.", "Review referrals with the YOT.", "", ""),
    ("police", "SOC3", "G", -1, "BID members briefed on modern slavery; 2 referrals to the NRM from hand car washes.", "Keep briefing new staff.", "", ""),
    ("police", "SOC5", "G", -1, "Repeat missing episodes from care down to 24 in Q4.", "Share with the Children's Partnership Board.", "", ""),
    ("police", "SO1", "G", -1, "Consent campaign with the Students' Union ran through February.", "Repeat at Freshers' Week.", "", ""),
    ("police", "SO4", "G", -1, "All 300 licensed drivers have now had CSE awareness training.", "Include it in new licences.", "", ""),
    ("police", "ASB1", "G", -1, "MATAC has closed 9 of its 14 cases.", "Review the model with partners.", "", ""),
    ("police", "ASB2", "G", 100, "CPS-led training delivered to all PCSOs in January.", "Refresh for new starters.", "", ""),
    ("police", "ASB3", "G", -1, "Easter holiday programme planned with Brightsparx.", "Run it in April.", "", ""),
    ("pcc", "CS1", "Green", 85, "City Safe co-ordinator in post since January; the 2019 City Safe plan agreed.", "Report the year to the board.", "", ""),
    ("pcc", "CS2", "Green", -1, "Purple Flag retained; late-night levy consultation closed.", "Report the levy to Cabinet.", "", ""),
    ("pcc", "CS3", "Green", 80, "Contract awarded; 27 of the 34 high-definition cameras installed by 31 March.", "Install the last 7 cameras in April.", "", ""),
    ("pcc", "CS5", "Green", -1, "PSPO in force from 1 February.", "Six-month review.", "", ""),
    ("pcc", "DA3", "Green", 20, "OPCC grant of £2,500 awarded in February; the White Ribbon application has been started.", "Submit the application in the summer.", "", "30/09/2019"),
    ("pcc", "ASB1", "Green", -1, "Housing standards officers now attend MATAC.", "Review MATAC's first year.", "", ""),
    ("pcc", "ASB2", "Green", -1, "Revised council ASB policy adopted by Cabinet in March.", "Train officers on the policy.", "", ""),
    ("uclan", "CS1", "Green", 90, "Students' Union safety plan evaluated: no serious incidents in Freshers' Week or at Christmas.", "Keep the plan for next year.", "", ""),
    ("bid", "CS1", "Red", 35, "Business Crime Partnership membership is 49 against a target of 60: the membership drive did not recover the members lost in the autumn.", "Offer free membership for six months to independent retailers.", "The target will not be met this year.", "30/06/2019"),
    ("bid", "CS2", "Green", -1, "Taxi Marshals renewed for 2019-20.", "Deploy through the summer.", "", ""),
    ("bid", "CS3", "Green", 80, "BID funding of £15k paid; radio users trained on the new cameras.", "Review the camera coverage.", "", ""),
    ("probation", "CS4", "Green", -1, "52 Alcohol Treatment Requirements made in the year.", "Keep the joint clinic.", "", ""),
    ("probation", "SOC2", "Green", -1, "5 young adults on licence supported away from gangs in the year.", "Continue.", "", ""),
    ("probation", "RO1", "Green", -1, "97% of high-risk releases had accommodation on the day of release this quarter.", "Keep the pathway.", "", ""),
    ("public-health", "CS4", "Green", -1, "Identification and Brief Advice training reached 120 front-line staff in the year.", "Train pharmacy staff.", "", ""),
    ("treatment-services", "CS4", "Green", -1, "Alcohol treatment starts up 18% on last year.", "Keep outreach with patrols.", "", ""),
    ("treatment-services", "RO2", "Green", -1, "19 reoffenders referred into treatment through the panels in the year.", "Continue.", "", ""),
    ("genga", "SOC1", "Green", -1, "Retailers' knife pledge signed by 31 shops.", "Extend the pledge.", "", ""),
    ("genga", "SOC3", "Green", -1, "Partnership visits to 6 car washes with the police.", "Continue visits.", "", ""),
    ("genga", "SOC4", "Amber", 55, "Schools programme delivered in 5 of the 8 high schools; the remaining three have agreed dates only for the autumn term.", "Deliver in the last three schools in September.", "Still short of the plan after a year.", ""),
    ("lcsc", "SOC2", "Green", -1, "Contextual safeguarding meetings held for 5 peer groups in the year.", "Extend to Preston West.", "", ""),
    ("lcsc", "SOC3", "Green", 90, "6 children referred to the NRM in the year.", "Keep training new staff.", "", ""),
    ("lcsc", "SOC5", "Green", -1, "Return home interviews completed within 72 hours for 91% of missing episodes.", "Hold the target.", "", ""),
    ("lcsc", "SO1", "Green", -1, "Healthy relationships leaflet in use by family support workers.", "Review use.", "", ""),
    ("yot", "SOC2", "Green", -1, "Every new referral screened for CCE; 9 at risk this year.", "Continue.", "", ""),
    ("yot", "ASB3", "Green", -1, "21 young people completed reparation projects in the year.", "New projects with the Canal & River Trust.", "", ""),
    ("early-action-team", "SOC4", "Green", -1, "Mentoring scheme: 15 young people matched with mentors.", "Continue mentoring.", "", ""),
    ("forum-members", "SOC5", "Green", -1, "Missing-person leaflet distributed at 12 community venues.", "Reprint.", "", ""),
    ("forum-members", "SO1", "Green", -1, "Forum members trained 40 volunteers in consent awareness.", "Continue.", "", ""),
    ("forum-members", "SO3", "Complete", 100, "Research report received; the Forum has adopted its recommendations.", "", "", ""),
    ("forum-members", "SO4", "Green", -1, "CSE awareness offered to all holiday club providers.", "Repeat in the summer.", "", ""),
    ("forum-members", "DA1", "Complete", 100, "The Providers' Forum meets quarterly with 21 organisations.", "", "", ""),
    ("forum-members", "DA2", "Complete", 100, "Honour based abuse campaign completed in January at 9 community venues.", "", "", ""),
    ("forum-members", "DA3", "Green", 10, "Champions identified, to be trained once the council's application is submitted.", "Train the champions.", "", ""),
    ("forum-members", "DA4", "Green", 90, "Service map published: 27 services; gaps for male victims and over-65s reported to the board.", "Commission to fill the gaps.", "", ""),
    ("cseg-members", "EI1", "Green", 70, "Ribbleton pilot running: 23 families supported.", "Evaluate the pilot.", "", ""),
    ("opcc", "SO2", "Green", -1, "ISVA at Royal Preston Hospital supported 81 patients in the year.", "Seek funding for 2019-20.", "", ""),
    ("steering-group-members", "SO2", "Green", -1, "Pathway from the Emergency Department audited: 95% of disclosures referred.", "Continue.", "", ""),
    ("csp-analyst", "SO3", "Complete", 100, "Sexual offending research report presented to the board in February.", "", "", ""),
    ("csp-analyst", "RO3", "Red", 40, "The drug research is still waiting for treatment data: the data-sharing agreement was signed in March, too late to finish this year.", "Finish the analysis by May.", "Board to note the delay.", "31/05/2019"),
    ("city-safe", "SO3", "Complete", 100, "Night-time economy incident data supplied and mapped.", "", "", ""),
    ("cga", "ASB1", "Green", -1, "Gateway has brought 5 cases to MATAC in the year.", "Continue.", "", ""),
    ("cga", "ASB2", "Green", 70, "Housing officers used civil injunctions in 3 cases.", "Continue.", "", ""),
    ("cfws", "ASB3", "Green", 80, "Detached sessions extended to Fishwick: 61 young people engaged this quarter.", "Continue.", "", ""),
    ("early-intervention-panel", "RO2", "Green", -1, "31 cases heard in the year.", "Continue.", "", ""),
    ("clcrc", "RO2", "Green", -1, "24 referrals to the panels in the year.", "Continue.", "", ""),
    ("clcrc", "RO3", "Amber", 40, "Drug testing data shared; waiting for the treatment data.", "Support the analysis.", "", ""),
    ("clcrc", "RO4", "Green", 70, "Perpetrator programme options appraised; a recommendation goes to the board in April.", "Report to the board.", "", ""),
    ("clcrc", "RO5", "Complete", 100, "Two Building Better Relationships cohorts completed at HMP Preston: 15 men.", "", "", ""),
    ("task-and-finish-group", "RO3", "Amber", 40, "Interim findings reviewed; the final report depends on the treatment data.", "Final report in May.", "", ""),
    ("task-and-finish-group", "RO4", "Green", 70, "Options appraisal complete.", "Recommendation to the board in April.", "", ""),
];

/// 2019-20 Q1 (April to June 2019), against the next year's plan
/// (`examples/2019-20/plan.toml`, IDs renumbered 1.1 on): a clean quarter
/// across the year boundary. Actions carried on from 2018-19 pick up their
/// trend from 2018-19 Q4 (1.1, once CS1, was red and is now amber; 2.4, once
/// SOC4, was amber and is now green); 2.5 was merged into 2.2 and 4.4 is
/// only added at the Q2 board, so nobody reports on them.
const Q1_2019: &[Entry] = &[
    ("police", "1.1", "A", 55, "BID Business Crime Partnership relaunched on 1 May with the new data protection terms; 46 retailers have rejoined and exclusion notices resumed.", "Recruit the remaining Fishergate retailers.", "Membership is still below the 2018 level of 58.", ""),
    ("uclan", "1.1", "Green", 60, "Students' Union safety team trained with City Safe on 9 May; the radio link now covers the Students' Union bar.", "Plan the 2019 Freshers' Week operation.", "", ""),
    ("pcc", "1.1", "Amber", 50, "The City Safe co-ordinator started on 8 April and has visited 120 members. The steering group agreed the 2019-20 action plan in May.", "Report progress to the July board.", "The radio scheme's funding beyond March 2020 is not agreed.", ""),
    ("bid", "1.1", "Amber", 55, "Exclusion scheme back in operation from 1 May after the data protection review; 12 exclusions issued in the first month.", "Publish the membership offer to retailers who left.", "", ""),
    ("bid", "1.2", "Green", -1, "Taxi Marshals on duty every Friday and Saturday night; the Purple Flag action plan was refreshed in June.", "Prepare for the autumn Purple Flag reassessment.", "", ""),
    ("police", "1.2", "G", -1, "Joint night-time economy patrols continued; violence with injury in the city centre at night down 9% on the same quarter last year.", "Summer events policing plan.", "", ""),
    ("pcc", "1.2", "Green", -1, "Licensing officers carried out 28 joint visits to late-night venues with the police.", "Review the late-night levy options.", "", ""),
    ("pcc", "1.3", "Green", 70, "28 of the 34 new high-definition cameras are installed and live; the control room upgrade was completed in May.", "Install the last 6 cameras on Friargate.", "", ""),
    ("bid", "1.3", "Green", -1, "BID members now share footage requests through the new control room portal.", "Train members on the portal.", "", ""),
    ("probation", "1.4", "Green", -1, "Alcohol treatment requirements made in 11 sentences this quarter; all started within 10 working days.", "Review completion rates with Inspire.", "", ""),
    ("public-health", "1.4", "Green", -1, "Alcohol brief-intervention training delivered to 34 front-line staff from housing and the hospital.", "Second cohort in September.", "", ""),
    ("treatment-services", "1.4", "Green", -1, "The Friday night welfare point at the bus station saw 64 people this quarter; 9 went on to treatment.", "Extend the welfare point to Saturdays over the summer.", "", ""),
    ("pcc", "1.5", "Green", -1, "The city-centre PSPO was renewed for three years from 1 June; 6 fixed penalty notices issued for street drinking.", "Publish the PSPO review to the board.", "", ""),
    ("police", "1.5", "G", -1, "Street drinking hot spots at the bus station and Flag Market patrolled daily; 4 Community Protection Notices issued.", "Joint operation with outreach workers in July.", "", ""),
    ("bid", "1.6", "Green", 20, "Radio handsets ordered for 15 late-night retailers on Fishergate and Church Street; training dates set for July.", "Train the retailers and switch the handsets on.", "", ""),
    ("police", "1.6", "G", 20, "Radio protocol for late-night retailers agreed with the BID.", "Attend the first training session.", "", ""),
    ("police", "2.1", "G", -1, "Operation Warrior executed 4 warrants in Ribbleton and Ingol; 9 arrests for supply offences and 2 county lines disrupted.", "Test purchase operation on knife sales with Trading Standards.", "", ""),
    ("genga", "2.1", "Green", -1, "Intelligence from Genga's detached youth work shared through the partnership's monthly tasking meeting.", "Extend detached sessions to Ingol.", "", ""),
    ("lcsc", "2.2", "Green", 30, "The missing-from-home work merged in from 2.5 is now part of the vulnerability panel; return interviews completed within 72 hours for 88% of episodes.", "Reach 90% by September.", "", ""),
    ("police", "2.2", "G", -1, "Vulnerability panel met twice; 14 young people discussed, 11 with a plan agreed.", "Add the missing-from-home coordinator to the panel.", "", ""),
    ("probation", "2.2", "Green", -1, "Two young adults transferred from the youth offending team were referred to the panel.", "Agree the transition protocol with the YOT.", "", ""),
    ("yot", "2.2", "Green", -1, "Transition protocol with probation drafted; 5 young people supported through Divert.", "Sign off the protocol.", "", ""),
    ("genga", "2.3", "Green", -1, "Modern slavery awareness added to Genga's youth worker induction; 12 workers trained.", "Session for parents in Deepdale.", "", ""),
    ("police", "2.3", "G", -1, "Operation Aidant visits to 5 hand car washes and 3 nail bars; 1 referral to the National Referral Mechanism.", "Brief BID members in the autumn.", "", ""),
    ("lcsc", "2.3", "Green", -1, "The child criminal exploitation toolkit was launched with 14 primary schools in May.", "Offer it to the remaining schools.", "", ""),
    ("genga", "2.4", "Green", 40, "Youth ambassadors programme started with 18 young people from Fishwick and St Matthew's; first workshops held in June.", "Summer programme of workshops.", "", ""),
    ("early-action-team", "2.4", "Green", 35, "Funding for the youth ambassadors secured from the Police and Crime Commissioner's community fund.", "Evaluate the first cohort in Q3.", "", ""),
    ("cseg-members", "3.1", "Green", 40, "The pilot's findings on barriers to early intervention were presented in May; two recommendations adopted by the Early Help board.", "Put the recommendations into practice in Ribbleton.", "", ""),
    ("police", "4.1", "G", -1, "'Ask for Angela' refreshed in 48 licensed premises; consent stall staffed at the UCLan summer fair.", "Freshers' Week consent campaign.", "", ""),
    ("lcsc", "4.1", "Green", -1, "Healthy relationships leaflet issued to family support workers.", "Review the leaflet with young people.", "", ""),
    ("forum-members", "4.1", "Green", -1, "Members ran 4 personal safety sessions at community centres, in English, Urdu and Polish.", "Sessions at the Gujarati community centre.", "", ""),
    ("csp-analyst", "4.2", "Green", 50, "Research into how sexual offending affects communities: the survey closed with 310 responses.", "Analyse the responses for the September board.", "", ""),
    ("city-safe", "4.2", "Green", -1, "City Safe members distributed the survey through 40 businesses.", "", "", ""),
    ("forum-members", "4.2", "Green", -1, "Survey promoted through the Providers' Forum newsletter.", "", "", ""),
    ("forum-members", "4.3", "Green", -1, "CSE indicators session delivered to 22 volunteers from faith groups.", "Repeat the session in Q2.", "", ""),
    ("police", "4.3", "G", -1, "CSE awareness training for 64 taxi drivers at licence renewal.", "Continue with the licensing team.", "", ""),
    ("forum-members", "5.1", "Green", -1, "White Ribbon awareness stall at the Flag Market on 25 May; 300 leaflets handed out.", "Plan the November White Ribbon week.", "", ""),
    ("forum-members", "5.2", "Amber", -1, "The review of refuge capacity found waiting times of up to 6 weeks for families with more than two children.", "Raise the capacity gap with commissioners.", "Families may be placed outside Preston while they wait.", ""),
    ("opcc", "5.3", "Green", 10, "Perpetrator programme specification drafted with probation; market engagement event held on 12 June.", "Go out to tender in August.", "", ""),
    ("probation", "5.3", "Green", 10, "Eligibility criteria and referral routes agreed for the perpetrator programme.", "Agree the evaluation measures.", "", ""),
    ("pcc", "6.1", "Green", -1, "MATAC adopted 5 new cases; 3 closed with the behaviour stopped.", "Review the case management log.", "", ""),
    ("police", "6.1", "G", -1, "Neighbourhood teams supplied intelligence on all MATAC cases within the agreed 7 days.", "", "", ""),
    ("cga", "6.1", "Green", -1, "Community Gateway tenancy officers attended every MATAC meeting; 2 acceptable behaviour contracts signed.", "", "", ""),
    ("pcc", "6.2", "Green", -1, "Refresher on Community Protection Notices delivered to 18 council officers.", "Publish the revised ASB policy.", "", ""),
    ("police", "6.2", "G", -1, "CPS-led legislation training delivered to 20 PCSOs.", "", "", ""),
    ("cga", "6.2", "Green", -1, "Housing officers trained on closure orders with the council's legal team.", "", "", ""),
    ("cfws", "6.3", "Green", -1, "Twilight football and Brightsparx sessions ran through the spring term; 46 young people attended.", "Summer holiday programme.", "", ""),
    ("police", "6.3", "G", -1, "PCSOs referred 12 young people to diversionary activities.", "", "", ""),
    ("yot", "6.3", "Green", -1, "3 young people on referral orders joined the Twilight programme.", "", "", ""),
    ("probation", "7.1", "Green", -1, "Release plans in place before release for 94% of Preston residents leaving HMP Preston.", "Reach 100% with the prison's resettlement team.", "", ""),
    ("early-intervention-panel", "7.2", "Green", -1, "The panel accepted 7 referrals of reoffenders this quarter.", "", "", ""),
    ("treatment-services", "7.2", "Green", -1, "All 7 referred reoffenders were offered a treatment assessment within 5 days.", "", "", ""),
    ("clcrc", "7.2", "Green", -1, "Offender managers of the rehabilitation company now refer through the panel's online form.", "", "", ""),
    ("csp-analyst", "7.3", "Amber", 60, "The drug research interim report was presented in May; data from the treatment services is still incomplete for 2018.", "Final report to the September board.", "Without the treatment data the prevalence estimate stays uncertain.", "30 September 2019"),
    ("clcrc", "7.3", "Amber", 60, "Drug testing data for 2018 shared with the analyst in June.", "", "", ""),
    ("task-and-finish-group", "7.3", "Amber", 60, "The group met twice and agreed the research questions for the final report.", "Meet in August.", "", ""),
    ("clcrc", "7.4", "Green", -1, "Task and finish group terms of reference renewed for 2019-20.", "", "", ""),
    ("task-and-finish-group", "7.4", "Green", -1, "Membership widened to the hospital's drug liaison service.", "", "", ""),
    ("probation", "7.5", "Green", 15, "Referral pathway to the women's centre agreed with HMP Styal; first 2 referrals made.", "Review the first referrals in Q2.", "", ""),
    ("clcrc", "7.5", "Green", 15, "Women's centre induction for the rehabilitation company's staff held on 20 June.", "", "", ""),
];

/// How an agency sent its return in a quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The tool's form, filled in, saved under this name.
    Form(&'static str),
    PoliceOwn,
    ForumOwn,
    Ods,
    Csv,
    Missing,
}

fn kind(quarter: u8, agency: &str) -> Kind {
    match (quarter, agency) {
        (_, "police") => Kind::PoliceOwn,
        (3, "forum-members") => Kind::ForumOwn,
        (3, "lcsc") => Kind::Ods,
        (3, "cga") => Kind::Csv,
        (3, "public-health") => Kind::Missing,
        // People rename what they send back.
        (3, "bid") => Kind::Form("return-2018-19-Q3-bid FINAL.xlsx"),
        (2, "yot") => Kind::Form("Copy of return-2018-19-Q2-yot.xlsx"),
        (3, "clcrc") => Kind::Form("CLCRC Preston CSP return Dec 2018.xlsx"),
        _ => Kind::Form(""),
    }
}

/// One planted mistake or designed exception, for PLANTED.md.
struct Planted {
    file: String,
    place: String,
    code: &'static str,
    severity: &'static str,
    what: String,
}

fn main() -> Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let plan = load_plan(&root.join("input/plan.toml")).context("loading input/plan.toml")?;
    let returns = root.join("input/returns");
    check_entries(&plan)?;
    let libreoffice = libreoffice_available();
    let mut planted = Vec::new();
    let q1: Period = "2018-19 Q1".parse()?;
    let q2: Period = "2018-19 Q2".parse()?;
    let q3: Period = "2018-19 Q3".parse()?;
    let q4: Period = "2018-19 Q4".parse()?;
    // Q1 and Q4 came later (for the year review); they are written after
    // Q2 and Q3, and Q2's forms stay as they were (not pre-filled from Q1),
    // so the Q2 and Q3 files and PLANTED.md's tables for them do not change.
    write_quarter(&plan, &returns, q2, Q2, None, libreoffice, &mut planted)?;
    let previous = history_of(&plan, q2, Q2);
    write_quarter(&plan, &returns, q3, Q3, Some(&previous), libreoffice, &mut planted)?;
    write_quarter(&plan, &returns, q1, Q1, None, libreoffice, &mut planted)?;
    write_quarter(&plan, &returns, q4, Q4, Some(&history_of(&plan, q3, Q3)), libreoffice, &mut planted)?;
    std::fs::write(returns.parent().expect("input/returns has a parent").join("PLANTED.md"), planted_md(&plan, &planted))
        .context("writing PLANTED.md")?;
    println!("Wrote the example returns for {q1}, {q2}, {q3} and {q4} under {}", returns.display());

    // The next plan year's first quarter, against its own plan.
    let next = load_plan(&root.join("examples/2019-20/plan.toml")).context("loading examples/2019-20/plan.toml")?;
    let next_returns = root.join("examples/2019-20/returns");
    let q1_next: Period = "2019-20 Q1".parse()?;
    check_entries_of(&next, Q1_2019, q1_next)?;
    write_quarter(&next, &next_returns, q1_next, Q1_2019, None, libreoffice, &mut Vec::new())?;
    println!("Wrote the example returns for {q1_next} under {}", next_returns.display());
    Ok(())
}

/// Every entry of `entries` names a lead of an action in `plan` in `period`.
fn check_entries_of(plan: &Plan, entries: &[Entry], period: Period) -> Result<()> {
    for (agency, action, ..) in entries {
        let Some(found) = plan.action(action) else { bail!("unknown action {action}") };
        if !found.is_in_plan(period) {
            bail!("{action} is not in the plan in {period}");
        }
        if !found.leads.iter().any(|l| l == agency) {
            bail!("{agency} does not lead {action}");
        }
    }
    Ok(())
}

/// Every entry names a plan agency, and a planned action unless planted.
fn check_entries(plan: &Plan) -> Result<()> {
    for (agency, action, ..) in Q1.iter().chain(Q2).chain(Q3).chain(Q4) {
        if plan.agency(agency).is_none() {
            bail!("unknown agency {agency}");
        }
        if plan.action(action).is_none() && *action != "DA9" {
            bail!("unknown action {action}");
        }
    }
    Ok(())
}

fn libreoffice_available() -> bool {
    std::process::Command::new("libreoffice").arg("--version").output().is_ok_and(|o| o.status.success())
}

/// What Q2's returns say, as the history the Q3 forms are pre-filled from.
fn history_of(plan: &Plan, period: Period, entries: &[Entry]) -> PreviousPeriod {
    let mut history = History::default();
    for (agency, action, status, _, update, ..) in entries {
        let Some(status) = Status::from_typed(status) else { continue };
        if plan.action(action).is_none() {
            continue;
        }
        let past = history.actions.entry(action.to_string()).or_insert(PastAction::new(status));
        if status.severity_rank() > past.overall.severity_rank() {
            past.overall = status;
        }
        past.leads.insert(agency.to_string(), PastUpdate::new(status, update.to_string()));
    }
    PreviousPeriod { period, source: format!("output/{}/progress.csv", period.slug()), from_returns: false, history }
}

fn write_quarter(
    plan: &Plan,
    returns: &Path,
    period: Period,
    entries: &[Entry],
    previous: Option<&PreviousPeriod>,
    libreoffice: bool,
    planted: &mut Vec<Planted>,
) -> Result<()> {
    let folder = returns.join(period.slug());
    // Keep a committed .ods when it cannot be remade here.
    let mut kept_ods = Vec::new();
    if folder.is_dir() {
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            if !libreoffice && path.extension().is_some_and(|e| e == "ods") {
                kept_ods.push(path);
                continue;
            }
            std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        }
    }
    std::fs::create_dir_all(&folder)?;
    // Forms are dated the day the coordinator sent them: the period end.
    let settings = FormSettings {
        deadline: period.end() + chrono::Days::new(14),
        contact: "the Community Safety Partnership coordinator at Preston City Council".to_string(),
        generated: period.end(),
    };
    for agency in plan.lead_agencies() {
        let rows: Vec<&Entry> = entries.iter().filter(|e| e.0 == agency.id).collect();
        let slug = period.slug();
        match kind(period.quarter, &agency.id) {
            Kind::Missing => {
                planted.push(Planted {
                    file: String::new(),
                    place: format!("{slug}/ (no file)"),
                    code: "no_return",
                    severity: "exception",
                    what: format!("{} has not returned: its actions show no return for it", agency.name),
                });
                continue;
            }
            Kind::Form(name) => {
                let name = if name.is_empty() { forms::form_file_name(period, &agency.id) } else { name.to_string() };
                let fill: Vec<FilledRow> = rows.iter().map(|e| filled(e)).collect();
                let bytes = forms::build_form(plan, agency, period, previous, &settings, &fill)?.bytes;
                std::fs::write(folder.join(&name), bytes)?;
                note_form_rows(plan, &agency.id, &format!("{slug}/{name}"), &rows, planted);
            }
            Kind::Ods => {
                let name = forms::form_file_name(period, &agency.id);
                let fill: Vec<FilledRow> = rows.iter().map(|e| filled(e)).collect();
                let bytes = forms::build_form(plan, agency, period, previous, &settings, &fill)?.bytes;
                let ods_name = name.replace(".xlsx", ".ods");
                if libreoffice {
                    let ods = convert_to_ods(&bytes, &name)?;
                    std::fs::write(folder.join(&ods_name), ods)?;
                } else {
                    println!(
                        "libreoffice is not installed: kept the committed {slug}/{ods_name} (install libreoffice-calc-nogui to remake it)"
                    );
                    if !kept_ods.iter().any(|p| p.file_name().is_some_and(|f| f.to_string_lossy() == ods_name)) {
                        bail!("{slug}/{ods_name} is missing and cannot be made without LibreOffice");
                    }
                }
                note_form_rows(plan, &agency.id, &format!("{slug}/{ods_name}"), &rows, planted);
            }
            Kind::PoliceOwn => {
                let name = format!("police-csp-return-{slug}.xlsx");
                std::fs::write(folder.join(&name), police_workbook(plan, period, &rows, &format!("{slug}/{name}"), planted)?)?;
            }
            Kind::ForumOwn => {
                let name = format!("Providers Forum - {} update.xlsx", period.slug());
                std::fs::write(folder.join(&name), forum_workbook(plan, period, &rows, &format!("{slug}/{name}"), planted)?)?;
            }
            Kind::Csv => {
                let name = format!("{}-q{}.csv", agency.id, period.quarter);
                std::fs::write(folder.join(&name), csv_return(plan, &agency.id, &rows, &format!("{slug}/{name}"), planted)?)?;
            }
        }
    }
    Ok(())
}

/// A row of the form, filled in as the entry says.
fn filled(e: &Entry) -> FilledRow {
    let (_, action, status, percent, update, next, issues, revised) = *e;
    FilledRow {
        action_id: action.to_string(),
        status: (!status.is_empty()).then(|| FilledValue::Text(status.to_string())),
        percent: (percent >= 0).then_some(FilledValue::Number(f64::from(percent))),
        update: update.to_string(),
        next_steps: next.to_string(),
        issues_risks: issues.to_string(),
        revised_date: revised_value(revised),
    }
}

/// A revised date as typed: a real date when it is one, else the text.
fn revised_value(typed: &str) -> Option<FilledValue> {
    if typed.is_empty() {
        None
    } else if let Some(date) = parse_uk_date(typed) {
        Some(FilledValue::Date(date))
    } else {
        Some(FilledValue::Text(typed.to_string()))
    }
}

/// Cell name for 0-based row and column: (7, 2) → `C8`.
fn cell(row: u32, column: u16) -> String {
    let mut letters = String::new();
    let mut n = u32::from(column) + 1;
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.insert(0, (b'A' + rem as u8) as char);
        n = (n - 1) / 26;
    }
    format!("{letters}{}", row + 1)
}

/// Where each row of a filled form lands: the agency's actions in plan order,
/// then extra rows.
fn form_row_of(plan: &Plan, agency: &str, rows: &[&Entry], action: &str) -> u32 {
    let led: Vec<&str> = plan.actions_led_by(agency).map(|a| a.id.as_str()).collect();
    let index = match led.iter().position(|a| *a == action) {
        Some(i) => i,
        None => led.len() + rows.iter().filter(|e| !led.contains(&e.1)).position(|e| e.1 == action).unwrap_or(0),
    };
    HEADER_ROW + 1 + index as u32
}

/// Records the planted mistakes and designed exceptions in a filled form.
fn note_form_rows(plan: &Plan, agency: &str, file: &str, rows: &[&Entry], planted: &mut Vec<Planted>) {
    for e in rows {
        let row = form_row_of(plan, agency, rows, e.1);
        let at = |c: u16| format!("{PROGRESS_SHEET} › {}", cell(row, c));
        note_row(plan, agency, file, e, &at(col::ACTION_ID), &at(col::STATUS), &at(col::PERCENT), &at(col::REVISED_DATE), planted);
    }
}

/// Classifies one row: each planted mistake, and each exception the board
/// pack should show, with its place.
#[allow(clippy::too_many_arguments)]
fn note_row(
    plan: &Plan,
    agency: &str,
    file: &str,
    e: &Entry,
    id_place: &str,
    status_place: &str,
    percent_place: &str,
    date_place: &str,
    planted: &mut Vec<Planted>,
) {
    let (_, action_id, typed_status, percent, update, _, _, revised) = *e;
    let mut push = |place: &str, code: &'static str, severity: &'static str, what: String| {
        planted.push(Planted { file: file.to_string(), place: place.to_string(), code, severity, what })
    };
    let Some(action) = plan.action(action_id) else {
        push(id_place, "unknown-action", "error", format!("{action_id} is not an action of the plan; the row is rejected"));
        return;
    };
    let Some(status) = Status::from_typed(typed_status) else {
        push(
            status_place,
            "unknown-status",
            "error",
            format!("status {typed_status:?} for {action_id}; the row is rejected (did you mean Green?)"),
        );
        return;
    };
    if !action.leads.iter().any(|l| l == agency) {
        push(id_place, "not-lead", "warning", format!("{agency} reports on {action_id}, which it does not lead"));
    }
    if percent > 100 {
        push(
            percent_place,
            "percent-out-of-range",
            "error",
            format!("{action_id}: % complete {percent}; the value is dropped, the row kept"),
        );
    }
    if !revised.is_empty() {
        match parse_uk_date(revised) {
            None => push(
                date_place,
                "bad-date",
                "error",
                format!("{action_id}: revised date {revised:?} is impossible; the value is dropped, the row kept"),
            ),
            Some(date) if action.timescale.due_date().is_some_and(|due| date > due) => push(
                date_place,
                "slippage",
                "exception",
                format!("{action_id}: revised to {} from its timescale {}", date.format("%d/%m/%Y"), action.timescale.written),
            ),
            Some(_) => {}
        }
    }
    if matches!(status, Status::Amber | Status::Red) && update.trim().is_empty() {
        push(status_place, "missing-update", "warning", format!("{action_id} is {} with no progress update", status.label()));
    }
}

/// Lancashire Constabulary's own spreadsheet: a title block, labels, a key
/// row, columns in its own order with its own names (Ref, RAG, Commentary,
/// Risks), percentages as percent-formatted fractions, an extra Officer
/// column, and a second sheet of lists.
fn police_workbook(plan: &Plan, period: Period, rows: &[&Entry], file: &str, planted: &mut Vec<Planted>) -> Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    let submitted = period.end() + chrono::Days::new(10);
    set_properties(&mut workbook, submitted, "Lancashire Constabulary")?;
    let sheet_name = format!("Q{} return", period.quarter);
    let sheet = workbook.add_worksheet();
    sheet.set_name(&sheet_name)?;
    let bold = Format::new().set_bold();
    let title = Format::new().set_bold().set_font_size(14);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top).set_border(FormatBorder::Thin);
    let header = Format::new().set_bold().set_background_color(0xD9E1F2).set_border(FormatBorder::Thin).set_text_wrap();
    let percent = wrap.clone().set_num_format("0%");
    let date = wrap.clone().set_num_format("dd/mm/yyyy");
    sheet.write_string_with_format(
        0,
        0,
        format!("Lancashire Constabulary – {} Plan {}", plan.partnership.short_name, plan.partnership.plan_year),
        &title,
    )?;
    sheet.write_string(1, 0, "Quarterly progress return (Preston Neighbourhood Policing Team)")?;
    sheet.write_string_with_format(3, 0, "Agency:", &bold)?;
    sheet.write_string(3, 1, "Lancashire Constabulary")?;
    sheet.write_string_with_format(4, 0, "Period:", &bold)?;
    sheet.write_string(4, 1, period.to_string())?;
    sheet.write_string_with_format(5, 0, "Completed by:", &bold)?;
    sheet.write_string(5, 1, "Insp. Rachel Whittle, Preston East Neighbourhood Policing")?;
    sheet.write_string(
        7,
        0,
        "RAG key: G = on track, A = at risk, R = off track, B = complete. Percentages are as at the end of the quarter.",
    )?;
    let headers = ["Ref", "Theme", "Action", "Officer", "RAG", "% complete", "Commentary", "Risks", "Next actions", "New date"];
    let widths = [7.0, 16.0, 40.0, 16.0, 6.0, 10.0, 50.0, 28.0, 30.0, 11.0];
    let header_row = 8u32;
    for (c, (h, w)) in (0u16..).zip(headers.iter().zip(widths)) {
        sheet.write_string_with_format(header_row, c, *h, &header)?;
        sheet.set_column_width(c, w)?;
    }
    let officers = ["PS Dan Ahmed", "Insp. Rachel Whittle", "DS Claire Mercer", "PC Tom Singh"];
    for (i, e) in rows.iter().enumerate() {
        let row = header_row + 1 + i as u32;
        let (_, id, status, pct, update, next, issues, revised) = **e;
        let action = plan.action(id);
        let theme = action.and_then(|a| plan.group(&a.group)).map(|g| g.name.as_str()).unwrap_or("");
        sheet.write_string_with_format(row, 0, id, &wrap)?;
        sheet.write_string_with_format(row, 1, theme, &wrap)?;
        sheet.write_string_with_format(row, 2, action.map(|a| a.text.as_str()).unwrap_or(""), &wrap)?;
        sheet.write_string_with_format(row, 3, officers[i % officers.len()], &wrap)?;
        sheet.write_string_with_format(row, 4, status, &wrap)?;
        if pct >= 0 {
            sheet.write_number_with_format(row, 5, f64::from(pct) / 100.0, &percent)?;
        } else {
            sheet.write_blank(row, 5, &wrap)?;
        }
        sheet.write_string_with_format(row, 6, update, &wrap)?;
        sheet.write_string_with_format(row, 7, issues, &wrap)?;
        sheet.write_string_with_format(row, 8, next, &wrap)?;
        match revised_value(revised) {
            Some(FilledValue::Date(d)) => sheet.write_date_with_format(row, 9, excel_date(d)?, &date)?,
            Some(FilledValue::Text(t)) => sheet.write_string_with_format(row, 9, t, &wrap)?,
            _ => sheet.write_blank(row, 9, &wrap)?,
        };
        sheet
            .set_row_height(row, 15.0 * lines_for(&[(update, 50.0), (action.map(|a| a.text.as_str()).unwrap_or(""), 40.0)]) as f64 + 3.0)?;
        let at = |c: u16| format!("{sheet_name} › {}", cell(row, c));
        note_row(plan, "police", file, e, &at(0), &at(4), &at(5), &at(9), planted);
    }
    if period.quarter == 3 {
        // Planted: two lines of the police's own below the table, after a
        // blank row. They are notes on the return, not rows to reject.
        let below = header_row + 2 + rows.len() as u32;
        let notes = [
            "Completed by: Insp. Rachel Whittle, Preston East Neighbourhood Policing, 01772 209 650",
            "Figures for December are provisional until the January data is published.",
        ];
        for (row, text) in (below..).zip(notes) {
            sheet.write_string(row, 0, text)?;
            planted.push(Planted {
                file: file.to_string(),
                place: format!("{sheet_name} › {}", cell(row, 0)),
                code: "return-note",
                severity: "note",
                what: format!("a line below the table, kept as a note on the return (not a rejected row): \"{text}\""),
            });
        }
    }
    sheet.set_freeze_panes(header_row + 1, 0)?;
    let lists = workbook.add_worksheet();
    lists.set_name("Lists")?;
    for (row, (letter, meaning)) in
        (0u32..).zip([("RAG", "Meaning"), ("G", "On track"), ("A", "At risk"), ("R", "Off track"), ("B", "Complete")])
    {
        lists.write_string(row, 0, letter)?;
        lists.write_string(row, 1, meaning)?;
    }
    Ok(workbook.save_to_buffer()?)
}

/// The Providers' Forum's own spreadsheet: a cover sheet first, then its
/// table under `Organisation:` / `Quarter:` labels, with its own column names
/// (Action no, Progress status, Progress %, Comments, Barriers, Planned
/// activity, Revised deadline), percentages as text, and an attendance sheet.
fn forum_workbook(plan: &Plan, period: Period, rows: &[&Entry], file: &str, planted: &mut Vec<Planted>) -> Result<Vec<u8>> {
    let mut workbook = Workbook::new();
    set_properties(&mut workbook, period.end() + chrono::Days::new(12), "Preston Providers' Forum")?;
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let cover = workbook.add_worksheet();
    cover.set_name("Cover")?;
    cover.write_string_with_format(0, 0, "Preston Domestic Abuse and Sexual Violence Providers' Forum", &bold)?;
    cover.write_string(1, 0, "Quarterly update to the Community Safety Partnership")?;
    cover.write_string(3, 0, "Prepared by the Forum co-ordinator on behalf of member organisations. Questions to the Forum inbox.")?;
    cover.set_column_width(0, 90)?;

    let sheet_name = "CSP actions";
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name)?;
    sheet.write_string_with_format(0, 0, "Providers' Forum – CSP action plan update", &bold)?;
    sheet.write_string_with_format(1, 0, "Organisation:", &bold)?;
    sheet.write_string(1, 1, "Providers' Forum")?;
    sheet.write_string_with_format(2, 0, "Quarter:", &bold)?;
    sheet.write_string(2, 1, period.to_string())?;
    sheet.write_string(3, 0, "Statuses used: On track / Some slippage / Off track / Completed / Not yet started")?;
    let headers = [
        "Action no",
        "Description",
        "Lead contact",
        "Progress status",
        "Progress %",
        "Comments",
        "Barriers",
        "Planned activity",
        "Revised deadline",
    ];
    let widths = [9.0, 36.0, 18.0, 14.0, 10.0, 55.0, 25.0, 28.0, 14.0];
    let header_row = 5u32;
    for (c, (h, w)) in (0u16..).zip(headers.iter().zip(widths)) {
        sheet.write_string_with_format(header_row, c, *h, &bold)?;
        sheet.set_column_width(c, w)?;
    }
    let contacts = ["Amina Hussain (Key)", "Gosia Nowak (Polish Centre)", "Refuge Preston", "IDVA service"];
    for (i, e) in rows.iter().enumerate() {
        let row = header_row + 1 + i as u32;
        let (_, id, status, pct, update, next, issues, revised) = **e;
        let description = plan.action(id).map(|a| a.text.as_str()).unwrap_or("Operation Encompass in Preston schools");
        let percent_text = if pct >= 0 { format!("{pct}%") } else { String::new() };
        for (c, text) in [
            (0u16, id),
            (1, description),
            (2, contacts[i % contacts.len()]),
            (3, status),
            (4, percent_text.as_str()),
            (5, update),
            (6, issues),
            (7, next),
            (8, revised),
        ] {
            sheet.write_string_with_format(row, c, text, &wrap)?;
        }
        sheet.set_row_height(row, 15.0 * lines_for(&[(update, 55.0), (description, 36.0)]) as f64 + 3.0)?;
        let at = |c: u16| format!("{sheet_name} › {}", cell(row, c));
        note_row(plan, "forum-members", file, e, &at(0), &at(3), &at(4), &at(8), planted);
    }
    let attendance = workbook.add_worksheet();
    attendance.set_name("Forum attendance")?;
    for (row, (month, count)) in
        (0u32..).zip([("Meeting", "Organisations attending"), ("October 2018", "19"), ("November 2018", "21"), ("December 2018", "23")])
    {
        attendance.write_string(row, 0, month)?;
        attendance.write_string(row, 1, count)?;
    }
    Ok(workbook.save_to_buffer()?)
}

/// Community Gateway's CSV: semicolon-separated, UTF-8 with a byte-order
/// mark, CRLF line ends, quoted fields with line breaks; no labels, so the
/// file name (`cga-q3.csv`) and folder (`2018-19-Q3/`) identify it.
fn csv_return(plan: &Plan, agency: &str, rows: &[&Entry], file: &str, planted: &mut Vec<Planted>) -> Result<Vec<u8>> {
    let headers = ["Action ID", "Status", "% complete", "Progress update", "Next steps", "Issues / risks", "Revised date"];
    let mut writer = csv::WriterBuilder::new().delimiter(b';').terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    writer.write_record(headers)?;
    let mut line = 2; // the header is line 1
    for e in rows {
        let (_, id, status, pct, update, next, issues, revised) = **e;
        let percent = if pct >= 0 { pct.to_string() } else { String::new() };
        writer.write_record([id, status, percent.as_str(), update, next, issues, revised])?;
        let at = |name: &str| format!("line {line}, column {name}");
        note_row(plan, agency, file, e, &at("Action ID"), &at("Status"), &at("% complete"), &at("Revised date"), planted);
        line += 1 + [update, next, issues].iter().map(|t| t.matches('\n').count()).sum::<usize>();
    }
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    bytes.extend(writer.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?);
    Ok(bytes)
}

/// Rows a set of (text, column width) pairs needs when wrapped.
fn lines_for(cells: &[(&str, f64)]) -> usize {
    cells
        .iter()
        .map(|(text, width)| text.split('\n').map(|p| p.chars().count().div_ceil((*width as usize).max(1)).max(1)).sum::<usize>())
        .max()
        .unwrap_or(1)
}

fn excel_date(date: NaiveDate) -> Result<ExcelDateTime> {
    use chrono::Datelike;
    Ok(ExcelDateTime::from_ymd(date.year() as u16, date.month() as u8, date.day() as u8)?)
}

fn set_properties(workbook: &mut Workbook, date: NaiveDate, author: &str) -> Result<()> {
    workbook.set_properties(&DocProperties::new().set_author(author).set_creation_datetime(&excel_date(date)?));
    Ok(())
}

/// Converts a workbook to `.ods` with LibreOffice, then rewrites the zip with
/// fixed timestamps so the result is the same on every run.
fn convert_to_ods(xlsx: &[u8], name: &str) -> Result<Vec<u8>> {
    let dir = tempfile::tempdir()?;
    let source = dir.path().join(name);
    std::fs::write(&source, xlsx)?;
    let profile = format!("-env:UserInstallation=file://{}/profile", dir.path().display());
    let output = std::process::Command::new("libreoffice")
        .args([profile.as_str(), "--headless", "--convert-to", "ods", "--outdir"])
        .arg(dir.path())
        .arg(&source)
        .output()
        .context("running libreoffice")?;
    let converted: PathBuf = source.with_extension("ods");
    if !output.status.success() || !converted.is_file() {
        bail!("libreoffice could not convert {name}: {}", String::from_utf8_lossy(&output.stderr));
    }
    normalise_zip(&std::fs::read(converted)?)
}

/// The same zip entries in the same order, with fixed timestamps; the
/// `mimetype` entry stays first and stored, as OpenDocument requires.
fn normalise_zip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i)?;
        let name = entry.name()?.to_string();
        let method = if name == "mimetype" || entry.compression() == zip::CompressionMethod::Stored {
            zip::CompressionMethod::Stored
        } else {
            zip::CompressionMethod::Deflated
        };
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(method)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o644);
        if entry.is_dir() {
            out.add_directory(name, options)?;
        } else {
            let mut data = Vec::new();
            entry.read_to_end(&mut data)?;
            out.start_file(name, options)?;
            out.write_all(&data)?;
        }
    }
    Ok(out.finish()?.into_inner())
}

/// PLANTED.md: the planted mistakes `validate` must report (and nothing
/// else), then the designed exceptions the board pack must show.
fn planted_md(plan: &Plan, planted: &[Planted]) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# The shipped example returns: what is planted in them\n");
    let _ = writeln!(
        md,
        "Written by `cargo run --example make_example_returns`, with the returns themselves; do not edit by hand.\n\
         Files are relative to `input/returns/`. `2018-19-Q1/`, `2018-19-Q2/` and `2018-19-Q4/` are clean: `validate` must report nothing there.\n\
         In `2018-19-Q3/`, `validate` must report exactly the diagnostics in the first table, and nothing else.\n"
    );
    let _ = writeln!(md, "## Planted mistakes (reader diagnostics)\n");
    let _ = writeln!(md, "| file | place | code | severity | what |\n|---|---|---|---|---|");
    for p in planted.iter().filter(|p| matches!(p.severity, "error" | "warning") && p.code != "not-lead") {
        let _ = writeln!(md, "| `{}` | {} | `{}` | {} | {} |", p.file, p.place, p.code, p.severity, p.what);
    }
    let _ = writeln!(md, "\n## Designed exceptions (merge and report)\n");
    let _ = writeln!(
        md,
        "`not-lead` and `stale-update` are the agreed merge-level diagnostic codes (a `validate` that runs the merge may show them too);\n\
         the other kinds name what the board pack should show, not diagnostic codes.\n"
    );
    let _ = writeln!(md, "| file | place | kind | severity | what |\n|---|---|---|---|---|");
    for p in planted.iter().filter(|p| p.code == "not-lead" || !matches!(p.severity, "error" | "warning")) {
        let file = if p.file.is_empty() { "—".to_string() } else { format!("`{}`", p.file) };
        let _ = writeln!(md, "| {file} | {} | `{}` | {} | {} |", p.place, p.code, p.severity, p.what);
    }
    let _ = writeln!(md, "\nAnd, by design, in 2018-19 Q3 (overall status = worst of the leads' statuses):\n");
    for line in designed_notes(plan) {
        let _ = writeln!(md, "- {line}");
    }
    md
}

/// The exceptions that follow from the statuses as a whole, computed from
/// the entries so the list cannot drift from the files.
fn designed_notes(plan: &Plan) -> Vec<String> {
    let q3: Period = "2018-19 Q3".parse().expect("period");
    let overall = |entries: &[Entry], id: &str| -> Option<Status> {
        entries
            .iter()
            .filter(|e| e.1 == id && plan.action(id).is_some_and(|a| a.leads.iter().any(|l| l == e.0)))
            .filter_map(|e| Status::from_typed(e.2))
            .max_by_key(|s| s.severity_rank())
    };
    let mut notes = Vec::new();
    for action in plan.actions() {
        let now = overall(Q3, &action.id);
        let before = overall(Q2, &action.id);
        let statuses: Vec<String> = Q3
            .iter()
            .filter(|e| e.1 == action.id && action.leads.iter().any(|l| l == e.0))
            .filter_map(|e| Status::from_typed(e.2).map(|s| format!("{} {}", e.0, s.label())))
            .collect();
        let Some(now) = now else { continue };
        if now == Status::Red {
            notes.push(format!("`red`: {} is Red ({})", action.id, statuses.join(", ")));
        }
        let overdue = action.timescale.due_date().is_some_and(|d| d < q3.end()) && now != Status::Complete;
        if overdue && now != Status::NotStarted {
            notes.push(
                format!("`overdue`: {} was due {} and is {} ", action.id, action.timescale.written, now.label()).trim_end().to_string(),
            );
        }
        if overdue && now == Status::NotStarted {
            notes.push(format!("`not-started-past-time`: {} was due {} and has not started", action.id, action.timescale.written));
        }
        if now == Status::Complete {
            notes.push(format!("`complete`: {} is complete", action.id));
        }
        let ranks: Vec<u8> = Q3
            .iter()
            .filter(|e| e.1 == action.id && action.leads.iter().any(|l| l == e.0))
            .filter_map(|e| Status::from_typed(e.2))
            .filter(|s| matches!(s, Status::Green | Status::Amber | Status::Red))
            .map(Status::severity_rank)
            .collect();
        if ranks.iter().max().zip(ranks.iter().min()).is_some_and(|(hi, lo)| hi - lo > 1) {
            notes.push(format!("`leads-disagree`: the leads of {} disagree by more than one step ({})", action.id, statuses.join(", ")));
        }
        if let Some(before) = before {
            if now.severity_rank() > before.severity_rank() && before != Status::NotStarted {
                notes.push(format!("`worsened`: {} went from {} in Q2 to {} in Q3", action.id, before.label(), now.label()));
            }
        }
    }
    // Persistent in Q3: amber or red for three quarters running, or red for two.
    for action in plan.actions() {
        let states: Vec<QuarterState> =
            [Q1, Q2, Q3].iter().map(|entries| overall(entries, &action.id).map_or(QuarterState::NoData, QuarterState::Status)).collect();
        if let Some(Reason::Persistent { quarters, since, .. }) = csp_report::merge::persistent(q3, &states) {
            notes.push(format!("`persistent`: {} has been amber or red for {quarters} quarters running, since {since}", action.id));
        }
    }
    for e in Q3 {
        if let Some(q2) = Q2.iter().find(|p| p.0 == e.0 && p.1 == e.1) {
            if q2.4 == e.4 && !e.4.is_empty() {
                notes.push(format!(
                    "`stale-update` (note, needs Q2's history): {}'s update on {} is word for word the same as in Q2",
                    e.0, e.1
                ));
            }
        }
    }
    notes.push("Unicode kept as written: the Forum's DA4 update is in Polish, its DA2 update quotes an Urdu (Arabic script) leaflet headline; several updates contain line breaks.".to_string());
    notes
}
