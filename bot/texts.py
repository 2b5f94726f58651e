"""Every text the desk says to volunteers and servants, in Dutch and English.

``t(key, lang, **values)`` formats one; Dutch is the fallback for any language.
``both(key, **values)`` gives Dutch and English at once (the channel adapters' own notes).
"""

from __future__ import annotations

from typing import Final

TEXTS: Final[dict[str, tuple[str, str]]] = {
    # ------------------------------------------------------------- volunteer
    "greet": (
        "Hallo! Ik ben Wegwijs, de wegwijzer voor burgerinitiatieven. Vertel in je eigen "
        "woorden waar je initiatief mee bezig is en wat je zoekt (geld, kennis, contacten, "
        "een vergunning…). Typ /help voor wat ik kan.",
        "Hello! I am Wegwijs, the signpost for civic initiatives. Tell me in your own words "
        "what your initiative does and what you are looking for (money, knowledge, contacts, "
        "a permit…). Type /help to see what I can do.",
    ),
    "preset": ("Ik weet al: {what}.", "I already know: {what}."),
    "help": (
        "Stel je vraag in gewone woorden; ik zoek fondsen, loketten en netwerken die passen, "
        "en breng je als je wilt in contact met een medewerker.\n"
        "/status – hoe staan je zaken\n/nieuw – een nieuwe vraag\n/contact – toch in contact "
        "komen met een medewerker\n/taal en – English please\n/stop – stoppen\n"
        "/privacy – wat ik over je bewaar\n/vergeet – wis alles wat ik over je weet",
        "Ask your question in plain words; I look for funds, desks and networks that fit, and "
        "if you like I put you in touch with a civil servant.\n"
        "/status – where your cases stand\n/new – a new question\n/contact – get in touch "
        "with a civil servant after all\n/taal nl – Nederlands graag\n/stop – stop\n"
        "/privacy – what I keep about you\n/forget – erase everything I know about you",
    ),
    "ask_theme": ("Waar gaat je initiatief vooral over?",
                  "What is your initiative mainly about?"),
    "ask_need": ("Wat voor hulp zoek je vooral?", "What kind of help are you looking for?"),
    "ask_region": ("In welke provincie zit je initiatief?",
                   "In which province is your initiative?"),
    "whole_country": ("Heel Nederland / weet ik niet", "All of the Netherlands / not sure"),
    "routes_intro": ("Dit zijn de beste wegen voor je vraag:",
                     "These are the best routes for your question:"),
    "reach": ("Zo bereik je ze", "How to reach them"),
    "amount": ("tot € {amount}", "up to € {amount}"),
    "deadline": ("aanvragen kan tot {date}", "apply by {date}"),
    "no_routes": ("Ik heb geen fonds, loket of netwerk gevonden dat goed past.",
                  "I found no fund, desk or network that fits well."),
    "offer": (
        "Wil je dat ik je in contact breng met {name}, {title} bij {org}? Dan deel ik met "
        "{name} (en zo nodig een collega die het beter kan oppakken): je vraag, de naam en "
        "plaats van je initiatief en je chatnaam. Zolang je geen ja zegt, deel ik niets.",
        "Would you like me to put you in touch with {name}, {title} at {org}? I would then "
        "share with {name} (and if needed a colleague better placed to help): your question, "
        "your initiative's name and place, and your chat handle. Nothing is shared unless "
        "you say yes.",
    ),
    "servant_writes": ("Let op: {name} schrijft in het {language}.",
                       "Please note: {name} writes in {language}."),
    "yes": ("Ja", "Yes"),
    "no": ("Nee", "No"),
    "partly": ("Deels", "Partly"),
    "skip": ("Overslaan", "Skip"),
    "ask_initiative_place": (
        "Dank je. Hoe heet je initiatief, en in welke plaats zit het? Bijvoorbeeld: "
        "Buurtkamer De Linde, Zutphen. (Kies 'Overslaan' als je dat nog niet weet.)",
        "Thank you. What is your initiative called, and in which town is it? For example: "
        "Buurtkamer De Linde, Zutphen. (Choose 'Skip' if you don't know yet.)",
    ),
    "declined": (
        "Prima, ik deel niets. Ik onthoud dat je liever geen contact hebt; wil je later toch "
        "iemand spreken, typ dan /contact.",
        "Fine, I share nothing. I'll remember you'd rather not be put in touch; if you change "
        "your mind, type /contact.",
    ),
    "later": (
        "Prima, dan deel ik nu niets. Wil je later toch in contact komen, typ dan /contact.",
        "Fine, I share nothing for now. If you'd like to be put in touch later, type /contact.",
    ),
    "declined_before": (
        "Je gaf eerder aan liever geen contact met een medewerker te willen. Wil je dat toch, "
        "typ dan /contact.",
        "You said earlier you'd rather not be put in touch with a civil servant. If you'd "
        "like that after all, type /contact.",
    ),
    "ask_initiative": (
        "Dank je. Hoe heet je initiatief? (Kies 'Overslaan' als het nog geen naam heeft.)",
        "Thank you. What is your initiative called? (Choose 'Skip' if it has no name yet.)",
    ),
    "handed_over": (
        "Ik heb je vraag doorgegeven aan {name} ({title}, {org}) als zaak {case}. Je hoort "
        "het hier zodra er een reactie is; is je vraag niet binnen {days} werkdagen "
        "opgepakt, dan geef ik hem aan een collega. Wat je nu typt, stuur ik door naar "
        "{name}. Een nieuwe vraag? Typ /nieuw.",
        "I passed your question to {name} ({title}, {org}) as case {case}. You'll hear from "
        "them here as soon as they respond; if nobody has taken it up within {days} working "
        "days, I pass it to a colleague. What you type now, I pass on to {name}. A new "
        "question? Type /new.",
    ),
    "relayed": ("Doorgestuurd naar {name} (zaak {case}).", "Passed on to {name} (case {case})."),
    "servant_said": ("{name} (zaak {case}): {text}", "{name} (case {case}): {text}"),
    "taken": ("{name} heeft je zaak {case} opgepakt.", "{name} has taken up your case {case}."),
    "reopened": (
        "{name} heeft je zaak {case} weer geopend. Wat je nu typt, stuur ik door naar {name}.",
        "{name} has reopened your case {case}. What you type now, I pass on to {name}.",
    ),
    "contact_already": (
        "Je vraag ligt al bij {name} (zaak {case}); wat je hier typt, stuur ik door. Een "
        "nieuwe vraag? Typ /nieuw.",
        "Your question is already with {name} (case {case}); what you type here, I pass on. "
        "A new question? Type /new.",
    ),
    "moved": (
        "Je zaak {case} ligt nu bij {name} ({title}, {org}).",
        "Your case {case} is now with {name} ({title}, {org}).",
    ),
    "moved_escalated": (
        "Je zaak {case} ligt nu bij {name} ({title}, {org}): {previous} kon hem niet binnen "
        "{days} werkdagen oppakken.",
        "Your case {case} is now with {name} ({title}, {org}): {previous} could not take it "
        "up within {days} working days.",
    ),
    "resolved": ("{name} heeft zaak {case} afgerond: {summary}",
                 "{name} has resolved case {case}: {summary}"),
    "checkin": ("Hoe staat het met zaak {case}? Ben je geholpen?",
                "How is case {case} going? Were you helped?"),
    "checkin_about": ("Hoe staat het met zaak {case} ({about})? Ben je geholpen?",
                      "How is case {case} ({about}) going? Were you helped?"),
    "checkin_thanks": ("Dank je voor je antwoord!", "Thank you for your answer!"),
    "checkin_passed_on": ("Ik heb je bericht ook doorgestuurd naar {name} (zaak {case}).",
                          "I also passed your message on to {name} (case {case})."),
    "checkin_not_helped": (
        "Jammer. Ik heb laten weten dat je nog niet geholpen bent; zaak {case} loopt nog. "
        "Wat je hier typt, stuur ik door.",
        "Sorry to hear that. I let them know you haven't been helped; case {case} is still "
        "open. What you type here, I pass on.",
    ),
    "checkin_noted_no": ("Jammer. Ik heb laten weten dat je niet geholpen bent.",
                         "Sorry to hear that. I let them know you weren't helped."),
    "checkin_reopened": (
        "Jammer. Ik heb laten weten dat je nog niet geholpen bent; zaak {case} staat weer open.",
        "Sorry to hear that. I let them know you haven't been helped; case {case} is open "
        "again.",
    ),
    "status_none": ("Je hebt geen zaken bij een medewerker.", "You have no cases with a "
                    "civil servant."),
    "status_offered": ("Zaak {case} ({theme}): ligt bij {name}, nog niet opgepakt.",
                       "Case {case} ({theme}): with {name}, not taken up yet."),
    "status_working": ("Zaak {case} ({theme}): {name} is ermee bezig.",
                       "Case {case} ({theme}): {name} is working on it."),
    "status_waiting": ("Zaak {case} ({theme}): {name} wacht op je antwoord.",
                       "Case {case} ({theme}): {name} is waiting for your answer."),
    "status_done": ("Zaak {case} ({theme}): afgerond.", "Case {case} ({theme}): resolved."),
    "status_question": ("Je vraag: \"{question}\"", "Your question: \"{question}\""),
    "stopped": (
        "Oké, ik stop hier. Stuur gerust weer een bericht als je iets nodig hebt. Alles "
        "wissen? Typ /vergeet.",
        "Okay, I'll stop here. Send a message whenever you need something. Erase everything? "
        "Type /forget.",
    ),
    "stopped_open": (
        "Oké, ik stop hier. Je zaak {case} bij {name} blijft open: berichten over de zaak "
        "krijg je hier nog, en wat je typt stuur ik door naar {name}. Vraag beantwoord? Laat "
        "het {name} weten, dan wordt de zaak afgesloten. Alles wissen, ook de zaak? Typ "
        "/vergeet.",
        "Okay, I'll stop here. Your case {case} with {name} stays open: messages about it "
        "still reach you here, and what you type I pass on to {name}. Question answered? Let "
        "{name} know, and the case will be closed. Erase everything, the case too? Type "
        "/forget.",
    ),
    "lang_set": ("Ik praat vanaf nu Nederlands met je.", "I'll speak English with you from now."),
    "lang_ask": ("Welke taal wil je?", "Which language would you like?"),
    "lang_unavailable": (
        "Die taal spreek ik niet; ik kan Nederlands en Engels. Welke taal wil je?",
        "I don't speak that language; I can do Dutch and English. Which language would you "
        "like?",
    ),
    "forget_confirm": (
        "Weet je zeker dat ik alles over je moet wissen: je vragen, je zaken en de berichten? "
        "Dit kan niet ongedaan worden gemaakt.",
        "Are you sure I should erase everything about you: your questions, your cases and the "
        "messages? This cannot be undone.",
    ),
    "forgotten": ("Alles over je is gewist. Tot ziens!", "Everything about you is erased. Bye!"),
    "forget_cancelled": ("Goed, ik heb niets gewist.", "Fine, I erased nothing."),
    "privacy": (
        "Wat ik bewaar: je chat-id, je taal, je laatste vraag en waar ons gesprek staat. Met "
        "een medewerker deel ik pas iets als je ja zegt op mijn aanbod: dan je vraag, de naam "
        "en plaats van je initiatief en je chatnaam, en de berichten over die zaak. Zonder "
        "jouw ja deel ik niets. Afgeronde zaken worden na {months} maanden geanonimiseerd "
        "of gewist. Met /vergeet wis je nu meteen alles over jou.",
        "What I keep: your chat id, your language, your last question and where our "
        "conversation stands. I share something with a civil servant only after you say yes "
        "to my offer: then your question, your initiative's name and place, your chat handle, "
        "and the messages about that case. Without your yes I share nothing. Finished cases "
        "are anonymised or erased after {months} months. Type /forget to erase "
        "everything about you right now.",
    ),
    "offer_again": ("Zal ik je in contact brengen met {name}?",
                    "Shall I put you in touch with {name}?"),
    "initiative_again": ("Hoe heet je initiatief? (Kies 'Overslaan' als het nog geen naam heeft.)",
                         "What is your initiative called? (Choose 'Skip' if it has no name "
                         "yet.)"),
    "initiative_place_again": (
        "Hoe heet je initiatief, en in welke plaats zit het? (Kies 'Overslaan' als je dat nog "
        "niet weet.)",
        "What is your initiative called, and in which town is it? (Choose 'Skip' if you don't "
        "know yet.)",
    ),
    "forget_again": ("Zal ik alles over je wissen? Dit kan niet ongedaan worden gemaakt.",
                     "Shall I erase everything about you? This cannot be undone."),
    "thanks_reply": ("Graag gedaan! Heb je nog een vraag? Typ hem dan gewoon hier.",
                     "You're welcome! Another question? Just type it here."),
    "bye_reply": ("Tot ziens! Je kunt hier altijd terugkomen met een nieuwe vraag.",
                  "Goodbye! You can always come back here with a new question."),
    "ack_reply": ("Fijn. Heb je nog een vraag? Typ hem dan gewoon hier.",
                  "Good. Another question? Just type it here."),
    "unknown_command": ("Die opdracht ken ik niet. Typ /help voor wat ik kan.",
                        "I don't know that command. Type /help to see what I can do."),
    "unknown_command_near": (
        "Die opdracht ken ik niet. Bedoel je /{command}? Typ /help voor wat ik kan.",
        "I don't know that command. Did you mean /{command}? Type /help to see what I can do.",
    ),
    "servant_who": ("{name} is {title} bij {org}.", "{name} is {title} at {org}."),
    "offer_waiting_pass_on": (
        "Is je bericht voor {old_name} (zaak {case})? Kies dan '{label}', dan stuur ik het "
        "door. Ik wacht ook nog op je antwoord: zal ik je in contact brengen met {name}? Hoe "
        "je zaken ervoor staan, zie je met /status.",
        "Is your message for {old_name} (case {case})? Then choose '{label}' and I'll pass it "
        "on. I'm also still waiting for your answer: shall I put you in touch with {name}? "
        "Type /status to see how your cases stand.",
    ),
    "pass_on_choice": ("Doorsturen naar {name}", "Pass on to {name}"),
    "initiative_why": (
        "Met de naam (en plaats) van je initiatief kan de medewerker je vraag plaatsen en je "
        "herkennen. Het hoeft niet: kies dan 'Overslaan'.",
        "With your initiative's name (and town) the civil servant can place your question and "
        "recognise you. It is not required: then choose 'Skip'.",
    ),
    "unsupported": (
        "Ik kan alleen tekst lezen, geen {what}. Typ je vraag gerust in een bericht.",
        "I can only read text, not {what}. Feel free to type your question.",
    ),
    "too_long": ("Je bericht is erg lang; ik heb de eerste {limit} tekens gelezen.",
                 "Your message is very long; I read the first {limit} characters."),
    "expired_choice": ("Die keuze geldt niet meer.", "That choice has expired."),
    "staff_only": ("Deze opdracht is alleen voor medewerkers van de desk.",
                   "This command is for desk staff only."),
    "new_question": ("Stel je nieuwe vraag maar.", "Go ahead with your new question."),
    "no_question": ("Stel eerst je vraag; daarna kan ik je in contact brengen.",
                    "Ask your question first; then I can put you in touch."),
    "no_servant": ("Er is nu helaas niemand beschikbaar om je vraag over te nemen.",
                   "Unfortunately nobody is available to take your question right now."),
    "didnt_get": ("Ik begreep je antwoord niet. Kies een van de opties of typ je antwoord.",
                  "I didn't understand your answer. Pick one of the options or type your "
                  "answer."),
    "out_of_scope": (
        "Daar kan ik je helaas niet mee helpen: ik help burgerinitiatieven op weg naar fondsen, "
        "loketten en netwerken.",
        "I'm afraid I can't help with that: I help civic initiatives find funds, desks and "
        "networks.",
    ),
    # --------------------------------------------------------------- servant
    "h_new": ("Nieuwe zaak {case} voor {name}", "New case {case} for {name}"),
    "h_question": ("Vraag", "Question"),
    "h_initiative": ("Initiatief", "Initiative"),
    "h_place": ("Plaats", "Place"),
    "h_theme": ("Thema", "Theme"),
    "h_need": ("Hulpvraag", "Need"),
    "h_stage": ("Fase", "Stage"),
    "h_chat": ("Chat", "Chat"),
    "h_writes": ("schrijft in het {language}", "writes in {language}"),
    "lang_nl": ("Nederlands", "Dutch"),
    "lang_en": ("Engels", "English"),
    "h_routes": ("Routes die de desk al gaf", "Routes the desk already gave"),
    "h_history": ("Geschiedenis (tijden in {zone})", "History (times in {zone})"),
    # the case history, one line per event or message; {actor} is one of the a_* words
    # or a servant's name, {who} a servant's name
    "a_desk": ("de desk", "the desk"),
    "a_volunteer": ("de vrijwilliger", "the volunteer"),
    "ev_proposed": ("de desk stelde {who} voor aan de vrijwilliger",
                    "the desk proposed {who} to the volunteer"),
    "ev_consent_given": ("de vrijwilliger gaf toestemming voor contact",
                         "the volunteer agreed to be put in touch"),
    "ev_decline": ("de vrijwilliger wilde geen contact", "the volunteer declined contact"),
    "ev_expire": ("het voorstel is verlopen", "the proposal expired"),
    "ev_offered_to": ("de zaak is aangeboden aan {who}", "the case was offered to {who}"),
    "ev_take": ("{actor} nam de zaak", "{actor} took the case"),
    "ev_reply": ("{actor} schreef de vrijwilliger", "{actor} wrote to the volunteer"),
    "ev_volunteer_wrote": ("de vrijwilliger schreef", "the volunteer wrote"),
    "ev_assign": ("{actor} gaf de zaak door aan {who}", "{actor} handed the case to {who}"),
    "ev_assign_why": ("{actor} gaf de zaak door aan {who}: “{reason}”",
                      "{actor} handed the case to {who}: “{reason}”"),
    "ev_escalate": ("de desk zette de zaak door naar {who}: niet op tijd opgepakt",
                    "the desk passed the case on to {who}: not taken in time"),
    "ev_reminder": ("de desk stuurde {who} een herinnering", "the desk reminded {who}"),
    "ev_no_escalation_target": ("de desk vond niemand om de zaak naar door te zetten",
                                "the desk found nobody to pass the case on to"),
    "ev_resolve": ("{actor} rondde de zaak af", "{actor} resolved the case"),
    "ev_reopen": ("{actor} opende de zaak weer", "{actor} reopened the case"),
    "ev_close": ("de zaak is gesloten", "the case was closed"),
    "ev_note": ("{actor} maakte een notitie", "{actor} made a note"),
    "ev_checkin_sent": ("de desk vroeg de vrijwilliger of het geholpen heeft",
                        "the desk asked the volunteer whether it helped"),
    "ev_checkin_answer": ("de vrijwilliger antwoordde op de check-in",
                          "the volunteer answered the check-in"),
    "ev_volunteer_unreachable": ("de vrijwilliger is niet meer bereikbaar via {detail}",
                                 "the volunteer can no longer be reached on {detail}"),
    "ev_other": ("{actor}: {detail}", "{actor}: {detail}"),
    "m_servant": ("{actor} aan de vrijwilliger: {text}", "{actor} to the volunteer: {text}"),
    "m_volunteer": ("de vrijwilliger: {text}", "the volunteer: {text}"),
    "m_note": ("{actor}, notitie: {text}", "{actor}, note: {text}"),
    "m_summary": ("{actor}, afsluitend bericht: {text}", "{actor}, closing message: {text}"),
    "m_checkin": ("de vrijwilliger op de check-in (geholpen?): {text}",
                  "the volunteer at the check-in (helped?): {text}"),
    "m_other": ("{actor}: {text}", "{actor}: {text}"),
    "h_unknown": ("onbekend", "unknown"),
    "h_how": (
        "Neem de zaak met /neem {case}; antwoord met /antwoord {case} <tekst>; geef door met "
        "/geef {case} <medewerker> <reden>.",
        "Take it with /take {case}; reply with /reply {case} <text>; hand it on with "
        "/assign {case} <servant> <reason>.",
    ),
    "reminder": (
        "Herinnering: zaak {case} wacht sinds {since} ({zone}) op je. Neem hem met /neem {case} of "
        "geef hem door met /geef {case} <medewerker> <reden>.",
        "Reminder: case {case} has been waiting for you since {since} ({zone}). Take it with "
        "/take {case} or hand it on with /assign {case} <servant> <reason>.",
    ),
    "escalated_away": (
        "Zaak {case} is doorgezet naar {name}, omdat hij niet binnen {days} werkdagen is "
        "opgepakt.",
        "Case {case} went to {name} because it was not taken within {days} working days.",
    ),
    "relay_in": ("[zaak {case}] Vrijwilliger: {text}", "[case {case}] Volunteer: {text}"),
    "checkin_in": ("[zaak {case}] Check-in, geholpen?: {answer}",
                   "[case {case}] Check-in, helped?: {answer}"),
    "checkin_reopen_in": ("Zaak {case} staat weer open: de vrijwilliger is niet geholpen.",
                          "Case {case} is open again: the volunteer was not helped."),
    "erased_in": ("Zaak {case} is gewist op verzoek van de vrijwilliger.",
                  "Case {case} was erased at the volunteer's request."),
    "unreachable_in": ("De vrijwilliger van zaak {case} is niet meer bereikbaar via {channel}.",
                       "The volunteer of case {case} can no longer be reached on {channel}."),
    "assigned_in_why": ("{who} gaf zaak {case} aan jou: “{reason}”",
                        "{who} handed case {case} to you: “{reason}”"),
    "escalated_in": (
        "Zaak {case} is doorgezet naar jou: {previous} heeft hem niet binnen {days} werkdagen "
        "opgepakt.",
        "Case {case} was passed on to you: {previous} did not take it within {days} working "
        "days.",
    ),
    "staff_help": (
        "Opdrachten voor medewerkers:\n"
        "/zaken – je open zaken\n"
        "/neem N – neem zaak N op je\n"
        "/antwoord N tekst – stuur de vrijwilliger van zaak N een bericht\n"
        "/notitie N tekst – een notitie bij de zaak (de vrijwilliger ziet die niet)\n"
        "/geef N MEDEWERKER reden – geef de zaak door aan een collega\n"
        "/klaar N samenvatting – rond de zaak af; de tekst na het nummer gaat als afsluitend "
        "bericht naar de vrijwilliger\n"
        "/heropen N – open een afgeronde zaak weer, om de vrijwilliger nog iets te schrijven\n"
        "/afwezig VAN TOT – afwezig, data als JJJJ-MM-DD; /afwezig weg wist je afwezigheid\n"
        "/capaciteit N – hoeveel open zaken je tegelijk wilt; 0: geen nieuwe zaken",
        "Commands for civil servants:\n"
        "/cases – your open cases\n"
        "/take N – take case N\n"
        "/reply N text – send the volunteer of case N a message\n"
        "/note N text – a note on the case (the volunteer does not see it)\n"
        "/assign N SERVANT reason – hand the case to a colleague\n"
        "/resolve N summary – resolve the case; the text after the number is sent to the "
        "volunteer as the closing message\n"
        "/reopen N – reopen a resolved case, to write the volunteer something more\n"
        "/away FROM UNTIL – away, dates as YYYY-MM-DD; /away off clears your absence\n"
        "/capacity N – how many open cases you want at once; 0: no new cases",
    ),
    "s_usage": ("Gebruik: {usage}", "Usage: {usage}"),
    "s_no_case": ("Zaak {case} bestaat niet.", "Case {case} does not exist."),
    "s_not_yours": ("Zaak {case} ligt bij {name}, niet bij jou.",
                    "Case {case} is with {name}, not with you."),
    "s_illegal": ("Dat kan nu niet bij zaak {case}: de zaak is {state}.",
                  "That is not possible for case {case} now: the case is {state}."),
    "s_mine": ("Zaak {case} is al van jou; schrijf met /antwoord {case} <tekst>.",
               "Case {case} is already yours; write with /reply {case} <text>."),
    "s_taken_by": ("Zaak {case} is al opgepakt door {name}.",
                   "Case {case} has already been taken by {name}."),
    "s_take_first": ("Neem zaak {case} eerst met /neem {case}.",
                     "Take case {case} first with /take {case}."),
    "s_assign_self": (
        "Zaak {case} ligt al bij jou. Neem hem met /neem {case}, of geef hem aan een collega "
        "met /geef {case} <medewerker> <reden>.",
        "Case {case} is already with you. Take it with /take {case}, or hand it to a "
        "colleague with /assign {case} <servant> <reason>.",
    ),
    "s_assign_holder": ("Zaak {case} ligt al bij {name}.", "Case {case} is already with {name}."),
    "s_resolved_not_sent": (
        "Zaak {case} is afgerond; je bericht is niet verstuurd. Wil je de vrijwilliger toch "
        "nog iets schrijven? Open de zaak weer met /heropen {case} en stuur dan "
        "/antwoord {case} <tekst>.",
        "Case {case} is resolved; your message was not sent. Want to write the volunteer "
        "something more? Reopen the case with /reopen {case}, then send /reply {case} <text>.",
    ),
    "s_is_resolved": (
        "Zaak {case} is al afgerond. Is er toch nog iets te doen? Open hem weer met "
        "/heropen {case}.",
        "Case {case} is already resolved. Something left to do? Reopen it with "
        "/reopen {case}.",
    ),
    "s_is_closed": (
        "Zaak {case} is gesloten: de vrijwilliger liet bij de check-in weten dat het "
        "geholpen heeft. Er kan niets meer bij; met een nieuwe vraag komt de vrijwilliger "
        "zelf terug bij de desk.",
        "Case {case} is closed: the volunteer said at the check-in that it helped. Nothing "
        "more can be added; with a new question the volunteer comes back to the desk.",
    ),
    "s_already_open": ("Zaak {case} staat al open; schrijf met /antwoord {case} <tekst>.",
                       "Case {case} is already open; write with /reply {case} <text>."),
    "s_reopened": (
        "Zaak {case} is weer open. Schrijf de vrijwilliger met /antwoord {case} <tekst>; "
        "rond weer af met /klaar {case} <samenvatting>.",
        "Case {case} is open again. Write the volunteer with /reply {case} <text>; resolve "
        "it again with /resolve {case} <summary>.",
    ),
    "s_taken": ("Zaak {case} is van jou. Antwoord met /antwoord {case} <tekst>.",
                "Case {case} is yours. Reply with /reply {case} <text>."),
    "s_sent": ("Verstuurd naar de vrijwilliger van zaak {case}.",
               "Sent to the volunteer of case {case}."),
    "s_taken_sent": ("Zaak {case} is nu van jou, en je bericht is verstuurd naar de "
                     "vrijwilliger.",
                     "Case {case} is now yours, and your message was sent to the volunteer."),
    "s_noted": ("Notitie bij zaak {case} bewaard.", "Note saved on case {case}."),
    "s_resolved": ("Zaak {case} is afgerond; de vrijwilliger kreeg je samenvatting.",
                   "Case {case} is resolved; the volunteer got your summary."),
    "s_assigned": ("Zaak {case} is doorgegeven aan {name}.", "Case {case} went to {name}."),
    "s_unknown_servant": ("Medewerker {who} ken ik niet. Bekend: {known}.",
                          "I don't know servant {who}. Known: {known}."),
    "s_away": ("Genoteerd: afwezig van {start} tot en met {until}. In die tijd krijg je geen "
               "nieuwe zaken.",
               "Noted: away from {start} until {until}. You get no new cases in that time."),
    "s_away_cases": ("Deze zaken liggen nog bij jou; geef ze zo nodig door aan een collega:",
                     "These cases are still with you; hand them to a colleague if needed:"),
    "s_away_line": ("Zaak {case} ({theme}, {state}): /geef {case} {who} <reden>",
                    "Case {case} ({theme}, {state}): /assign {case} {who} <reason>"),
    "s_away_someone": ("<medewerker>", "<servant>"),
    "s_away_waiting": (
        "Geef je een zaak die op /neem wacht niet door, dan gaat hij na {days} werkdagen "
        "vanzelf naar een collega.",
        "A case waiting for /take that you do not hand on goes to a colleague by itself "
        "after {days} working days.",
    ),
    "s_away_order": (
        "De einddatum {until} ligt vóór de begindatum {start}. Bedoel je /afwezig {until} "
        "{start}?",
        "The end date {until} is before the start date {start}. Do you mean /away {until} "
        "{start}?",
    ),
    "s_away_cleared": (
        "Je afwezigheid ({start} tot en met {until}) is gewist; je krijgt weer nieuwe zaken.",
        "Your absence ({start} until {until}) is cleared; you get new cases again.",
    ),
    "s_away_none": ("Je had geen afwezigheid opgegeven.", "You had not set an absence."),
    "s_capacity": ("Je capaciteit is nu {n}: je krijgt nieuwe zaken zolang je minder dan "
                   "{n} open {cases} hebt.",
                   "Your capacity is now {n}: you get new cases while you have fewer than "
                   "{n} open {cases}."),
    "s_capacity_zero": (
        "Je capaciteit is nu 0: je krijgt geen nieuwe zaken. Je open zaken blijven bij jou. "
        "Weer nieuwe zaken? Stuur /capaciteit N.",
        "Your capacity is now 0: you get no new cases. Your open cases stay with you. New "
        "cases again? Send /capacity N.",
    ),
    "w_case": ("zaak", "case"),
    "w_cases": ("zaken", "cases"),
    "state_offered": ("wacht op /neem", "waiting for /take"),
    "state_accepted": ("opgepakt", "taken"),
    "state_waiting_for_volunteer": ("wacht op de vrijwilliger", "waiting for the volunteer"),
    "state_in_progress": ("in behandeling", "in progress"),
    "state_resolved": ("afgerond", "resolved"),
    "state_closed": ("gesloten", "closed"),
    "state_new": ("nog niet overgedragen", "not handed over yet"),
    "state_declined": ("afgewezen door de vrijwilliger", "declined by the volunteer"),
    "state_expired": ("verlopen", "expired"),
    "state_reassigned": ("doorgegeven", "handed on"),
    "state_escalated": ("doorgezet", "passed on"),
    "s_none": ("Je hebt geen open zaken.", "You have no open cases."),
    "s_case_line": ("Zaak {case} · {state} · {theme} · {place} · sinds {since}",
                    "Case {case} · {state} · {theme} · {place} · since {since}"),
    "s_digest": ("Weekoverzicht voor {name}: {n} open {cases}.",
                 "Weekly digest for {name}: {n} open {cases}."),
    "s_overdue": ("Over tijd: {cases}.", "Overdue: {cases}."),
    "s_vol_text": ("Gebruik /antwoord N tekst om een vrijwilliger te antwoorden. /help voor "
                   "alle opdrachten.", "Use /reply N text to answer a volunteer. /help for "
                   "all commands."),
    "s_vol_text_one": (
        "Je bericht is niet verstuurd. Bedoel je zaak {case} ({theme})? Stuur dan: "
        "/antwoord {case} <je tekst>",
        "Your message was not sent. Do you mean case {case} ({theme})? Then send: "
        "/reply {case} <your text>",
    ),
    "s_vol_text_cases": (
        "Je bericht is niet verstuurd. Antwoord een vrijwilliger met het nummer van de zaak; "
        "je open zaken:",
        "Your message was not sent. Answer a volunteer with the case number; your open "
        "cases:",
    ),
    "s_reply_line": ("/antwoord {case} … ({theme})", "/reply {case} … ({theme})"),
    "s_unknown_near": (
        "Die opdracht ken ik niet. Bedoel je /{command}? /help voor alle opdrachten.",
        "I don't know that command. Did you mean /{command}? /help for all commands.",
    ),
    "s_away_past": (
        "Die afwezigheid is al voorbij: {until} ligt vóór vandaag ({today}). Geef de data van "
        "een afwezigheid die nog komt of nu loopt, bijvoorbeeld /afwezig {today} {example}.",
        "That absence is already over: {until} is before today ({today}). Give the dates of "
        "an absence still to come or going on now, for example /away {today} {example}.",
    ),
    "s_assign_reason": (
        "Zaak {case} is nog niet doorgegeven: schrijf er een reden bij, dan weet {name} "
        "waarom de zaak komt. Typ bijvoorbeeld: /geef {case} {who} ik ben drie weken met "
        "verlof",
        "Case {case} has not been handed on yet: add a reason, so {name} knows why the case "
        "comes to them. Type for example: /assign {case} {who} I am on leave for three weeks",
    ),
    "s_away_replaced": (
        "Dit vervangt je afwezigheid van {start} tot en met {until}: ik houd er één bij. Ben "
        "je in beide periodes weg, geef dan nu de eerste op en de tweede als die voorbij is.",
        "This replaces your absence from {start} to {until}: I keep one. Away in both? Give "
        "the first now and the second once it has passed.",
    ),
    "s_slash_needed": (
        "Er is niets verstuurd en niets gedaan. Bedoel je {command}? Typ het dan met de "
        "schuine streep ervoor: zo'n opdracht gaat naar de vrijwilliger of sluit een zaak.",
        "Nothing was sent or done. Did you mean {command}? Then type it with the slash in "
        "front: such a command goes to the volunteer or closes a case.",
    ),
    "s_cli_unknown": (
        "'{who}' staat niet als medewerker in civil_servants.yaml. Start met --as en een van "
        "deze ids: {known}.",
        "'{who}' is not a servant in civil_servants.yaml. Start with --as and one of these "
        "ids: {known}.",
    ),
    # -------------------------------------------------------------- adapters
    # Notes a channel adapter sends itself, before the desk knows the person's language:
    # sent in both languages at once, see ``both``.
    "ch_sorry": ("Sorry, dat lukte even niet. Probeer het zo nog eens.",
                 "Sorry, something went wrong. Please try again in a moment."),
    "ch_edit_note": ("Ik lees geen bewerkte berichten. Stuur je aanpassing als nieuw bericht.",
                     "I don't read edited messages. Please send your change as a new message."),
    "ch_expired_button": ("Deze keuze is verlopen.", "This choice has expired."),
    "ch_private_only": (
        "Ik help alleen in een privégesprek, zodat je vraag en gegevens privé blijven: {link}",
        "I only help in a private chat, so your question stays private: {link}",
    ),
    "ch_leaving_group": (
        "Ik werk alleen in een privégesprek met één persoon, zodat niemand anders meeleest. "
        "Ik verlaat deze kamer; start een direct gesprek met mij.",
        "I only work in a private chat with one person, so nobody else reads along. I'm "
        "leaving this room; please start a direct chat with me.",
    ),
    "ch_undecryptable": ("Ik kon je bericht niet ontsleutelen. Wil je het nog eens sturen?",
                         "I could not decrypt your message. Could you send it again?"),
}


#: What a non-text message carries (``Inbound.unsupported``, as the adapters name it), in
#: words for "Ik kan alleen tekst lezen, geen …" / "I can only read text, not …".
ATTACHMENTS: Final[dict[str, tuple[str, str]]] = {
    "photo": ("foto's", "photos"),
    "image": ("afbeeldingen", "images"),
    "voice": ("spraakberichten", "voice messages"),
    "audio": ("geluidsbestanden", "audio files"),
    "video": ("video's", "videos"),
    "video_note": ("videoberichtjes", "video messages"),
    "animation": ("GIF's en animaties", "GIFs and animations"),
    "sticker": ("stickers", "stickers"),
    "document": ("bestanden", "files"),
    "file": ("bestanden", "files"),
    "location": ("locaties", "locations"),
    "venue": ("locaties", "locations"),
    "contact": ("contactkaarten", "contact cards"),
    "poll": ("peilingen", "polls"),
    "dice": ("dobbelstenen", "dice"),
    "game": ("spelletjes", "games"),
    "story": ("verhalen", "stories"),
    "paid_media": ("betaalde media", "paid media"),
    "invoice": ("betaalverzoeken", "invoices"),
    "attachment": ("bijlagen", "attachments"),
}
_ATTACHMENT_FALLBACK: Final = ATTACHMENTS["attachment"]


def attachment(kind: str | None, lang: str = "nl") -> str:
    """``kind`` ("photo", "voice", ...) in words; "bijlagen" / "attachments" when unknown."""
    nl, en = ATTACHMENTS.get((kind or "").strip().casefold(), _ATTACHMENT_FALLBACK)
    return en if lang == "en" else nl


def t(key: str, lang: str = "nl", /, **values: object) -> str:
    """The text ``key`` in ``lang`` (Dutch fallback), with ``values`` filled in."""
    nl, en = TEXTS[key]
    template = en if lang == "en" else nl
    return template.format(**values) if values else template


def both(key: str, /, **values: object) -> str:
    """The text ``key`` in Dutch and English at once (``"nl / en"``), for the notes a channel
    adapter sends before the desk knows the person's language."""
    return f"{t(key, 'nl', **values)} / {t(key, 'en', **values)}"
