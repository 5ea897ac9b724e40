<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fi_FI">
<context>
    <name>AccountView</name>
    <message>
        <location filename="../main/account.py" line="51"/>
        <source>Set PIN…</source>
        <translation>Aseta PIN-koodi…</translation>
    </message>
    <message>
        <location filename="../main/account.py" line="60"/>
        <source>Name:</source>
        <translation>Nimi:</translation>
    </message>
    <message>
        <location filename="../main/account.py" line="61"/>
        <source>Personal number:</source>
        <translation>Henkilönumero:</translation>
    </message>
    <message>
        <location filename="../main/account.py" line="62"/>
        <source>PIN:</source>
        <translation>PIN-koodi:</translation>
    </message>
    <message>
        <location filename="../main/account.py" line="70"/>
        <source>&lt;h3&gt;Hearing your recordings by phone&lt;/h3&gt;</source>
        <translation>&lt;h3&gt;Nauhoitteiden kuuntelu puhelimella&lt;/h3&gt;</translation>
    </message>
    <message>
        <location filename="../main/account.py" line="72"/>
        <source>Call the listening number and key your PIN, then #. From a phone other than your own, key your personal number and # first.</source>
        <translation>Soita kuuntelunumeroon ja näppäile PIN-koodisi ja #. Muusta kuin omasta puhelimestasi näppäile ensin henkilönumerosi ja #.</translation>
    </message>
    <message>
        <location filename="../main/account.py" line="97"/>
        <source>set; locked after wrong PINs until {time}</source>
        <translation>asetettu; lukittu väärien PIN-koodien vuoksi {time} asti</translation>
    </message>
    <message>
        <location filename="../main/account.py" line="100"/>
        <source>set</source>
        <translation>asetettu</translation>
    </message>
    <message>
        <location filename="../main/account.py" line="101"/>
        <source>not set: set one to hear your recordings by phone</source>
        <translation>ei asetettu: aseta PIN-koodi kuunnellaksesi nauhoitteitasi puhelimella</translation>
    </message>
    <message>
        <location filename="../main/account.py" line="105"/>
        <source>Your PIN</source>
        <translation>PIN-koodisi</translation>
    </message>
    <message>
        <location filename="../main/account.py" line="117"/>
        <source>PIN set.</source>
        <translation>PIN-koodi asetettu.</translation>
    </message>
</context>
<context>
    <name>BackupsPage</name>
    <message>
        <location filename="../manage/backups.py" line="68"/>
        <source>Saved</source>
        <translation>Tallennettu</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="69"/>
        <source>File</source>
        <translation>Tiedosto</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="70"/>
        <source>Size</source>
        <translation>Koko</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="70"/>
        <source>{size} kB</source>
        <translation>{size} kt</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="79"/>
        <source>Save a backup now</source>
        <translation>Tallenna varmuuskopio nyt</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="80"/>
        <source>Saves the configuration on the switchboard, beside the nightly backups.</source>
        <translation>Tallentaa asetukset vaihteeseen öisten varmuuskopioiden rinnalle.</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="83"/>
        <source>Download the configuration now…</source>
        <translation>Lataa asetukset nyt…</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="84"/>
        <source>The configuration as it is at this moment, saved on this computer.</source>
        <translation>Asetukset sellaisina kuin ne ovat juuri nyt, tallennettuna tälle tietokoneelle.</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="87"/>
        <source>Restore…</source>
        <translation>Palauta…</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="90"/>
        <source>Backups on the switchboard</source>
        <translation>Varmuuskopiot vaihteessa</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="103"/>
        <source>Every night the switchboard saves its configuration (people, groups, numbers, users, settings, SMS texts and the trunk; not the call log or recordings) and keeps the newest {kept}.</source>
        <translation>Vaihde tallentaa joka yö asetuksensa (henkilöt, ryhmät, numerot, käyttäjät, asetukset, tekstiviestit ja operaattoriyhteyden; ei puheluluetteloa eikä nauhoitteita) ja säilyttää niistä {kept} uusinta.</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="106"/>
        <source>This switchboard saves no backup at night (lab mode has no nightly timer): save one with “Save a backup now”. It keeps the newest {kept}.</source>
        <translation>Tämä vaihde ei tee varmuuskopiota öisin (laboratoriotilassa ei ole öistä ajastusta): tallenna varmuuskopio painikkeella ”Tallenna varmuuskopio nyt”. Vaihde säilyttää {kept} uusinta.</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="109"/>
        <source>A backup holds the trunk&apos;s password and the users&apos; password hashes: keep downloaded copies as safe as passwords.</source>
        <translation>Varmuuskopiossa on operaattoriyhteyden salasana ja käyttäjien salasanojen tiivisteet: säilytä ladatut kopiot yhtä huolellisesti kuin salasanat.</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="112"/>
        <source>There are no backups on the switchboard yet.</source>
        <translation>Vaihteessa ei ole vielä varmuuskopioita.</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="124"/>
        <source>Download…</source>
        <translation>Lataa…</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="138"/>
        <source>Saved {name} on the switchboard.</source>
        <translation>Tallennettu {name} vaihteeseen.</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="145"/>
        <source>Not saved: {reason}</source>
        <translation>Ei tallennettu: {reason}</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="158"/>
        <source>Save the backup</source>
        <translation>Tallenna varmuuskopio</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="159"/>
        <source>Backups (*.json)</source>
        <translation>Varmuuskopiot (*.json)</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="184"/>
        <source>Downloading…</source>
        <translation>Ladataan…</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="190"/>
        <source>Cannot write {path}: {reason}</source>
        <translation>Tiedostoa {path} ei voi kirjoittaa: {reason}</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="195"/>
        <source>Saved {path}. Keep it safe: it holds passwords.</source>
        <translation>Tallennettu {path}. Säilytä se huolellisesti: siinä on salasanoja.</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="206"/>
        <source>Restore a backup</source>
        <translation>Varmuuskopion palautus</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="207"/>
        <source>Replace the whole configuration with the backup of {time}?</source>
        <translation>Korvataanko kaikki asetukset varmuuskopiolla, joka on tehty {time}?</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="209"/>
        <source>People, groups, numbers, users, settings, SMS texts and the trunk become what they were then; later changes are lost.</source>
        <translation>Henkilöt, ryhmät, numerot, käyttäjät, asetukset, tekstiviestit ja operaattoriyhteys palaavat silloisiksi; myöhemmät muutokset menetetään.</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="211"/>
        <source>The call log and recordings stay as they are.</source>
        <translation>Puheluluettelo ja nauhoitteet säilyvät ennallaan.</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="212"/>
        <source>Every login ends, this one too: log in again afterwards.</source>
        <translation>Kaikki kirjautumiset päättyvät, myös tämä: kirjaudu sen jälkeen uudelleen.</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="213"/>
        <source>Restore</source>
        <translation>Palauta</translation>
    </message>
    <message>
        <location filename="../manage/backups.py" line="218"/>
        <source>Restored the backup {name}. Log in again to go on.</source>
        <translation>Varmuuskopio {name} palautettu. Kirjaudu uudelleen jatkaaksesi.</translation>
    </message>
</context>
<context>
    <name>CallLog</name>
    <message>
        <location filename="../calllog/model.py" line="32"/>
        <source>answered</source>
        <translation>vastattu</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="33"/>
        <source>answered by backup</source>
        <translation>varahenkilö vastasi</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="34"/>
        <source>missed</source>
        <translation>vastaamaton</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="35"/>
        <source>caller hung up</source>
        <translation>soittaja katkaisi</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="36"/>
        <source>unknown number</source>
        <translation>tuntematon numero</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="42"/>
        <source>no answer</source>
        <translation>ei vastannut</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="43"/>
        <source>busy</source>
        <translation>varattu</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="44"/>
        <source>declined</source>
        <translation>hylkäsi</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="45"/>
        <source>voicemail?</source>
        <translation>vastaaja?</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="46"/>
        <source>took the call</source>
        <translation>otti puhelun</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="47"/>
        <source>too late</source>
        <translation>liian myöhään</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="48"/>
        <source>answered, did not press 1</source>
        <translation>vastasi, ei painanut 1</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="49"/>
        <source>could not ring</source>
        <translation>soitto ei onnistunut</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="55"/>
        <source>main</source>
        <translation>pää</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="57"/>
        <source>backup</source>
        <translation>vara</translation>
    </message>
</context>
<context>
    <name>CallLogModel</name>
    <message>
        <location filename="../calllog/model.py" line="97"/>
        <source>Arrived</source>
        <translation>Saapui</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="99"/>
        <source>Number</source>
        <translation>Numero</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="102"/>
        <source>Caller</source>
        <translation>Soittaja</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="103"/>
        <source>Wait</source>
        <translation>Odotus</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="107"/>
        <source>Outcome</source>
        <translation>Tulos</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="108"/>
        <source>Answered by</source>
        <translation>Vastaaja</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="105"/>
        <source>Talk</source>
        <translation>Puheaika</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="83"/>
        <source>in progress</source>
        <translation>käynnissä</translation>
    </message>
</context>
<context>
    <name>CallLogView</name>
    <message>
        <location filename="../calllog/view.py" line="89"/>
        <source>Today</source>
        <translation>Tänään</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="89"/>
        <source>Last 7 days</source>
        <translation>Viimeiset 7 päivää</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="90"/>
        <source>Last 30 days</source>
        <translation>Viimeiset 30 päivää</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="90"/>
        <source>All</source>
        <translation>Kaikki</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="95"/>
        <source>All outcomes</source>
        <translation>Kaikki tulokset</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="100"/>
        <source>Caller number, or withheld</source>
        <translation>Soittajan numero tai salainen</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="110"/>
        <source>Export CSV…</source>
        <translation>Vie CSV…</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="112"/>
        <source>Refresh</source>
        <translation>Päivitä</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="113"/>
        <source>Show the newest calls (F5)</source>
        <translation>Näytä uusimmat puhelut (F5)</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="133"/>
        <source>Whom the chosen call rang:</source>
        <translation>Kenelle valittu puhelu soi:</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="145"/>
        <source>More</source>
        <translation>Lisää</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="187"/>
        <source>withheld</source>
        <translation>salainen</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="200"/>
        <location filename="../calllog/view.py" line="212"/>
        <source>Loading…</source>
        <translation>Ladataan…</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="255"/>
        <source>{shown} of {total} calls</source>
        <translation>{shown} / {total} puhelua</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="282"/>
        <source>Export calls</source>
        <translation>Vie puhelut</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="283"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV-tiedostot (*.csv)</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="306"/>
        <source>Exporting…</source>
        <translation>Viedään…</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="313"/>
        <source>Cannot write {path}: {reason}</source>
        <translation>Tiedostoa {path} ei voi kirjoittaa: {reason}</translation>
    </message>
    <message>
        <location filename="../calllog/view.py" line="318"/>
        <source>Saved {path}</source>
        <translation>Tallennettu {path}</translation>
    </message>
</context>
<context>
    <name>CertificateChangedDialog</name>
    <message>
        <location filename="../connect/dialogs.py" line="100"/>
        <source>Warning: certificate changed</source>
        <translation>Varoitus: varmenne on vaihtunut</translation>
    </message>
    <message>
        <location filename="../connect/dialogs.py" line="103"/>
        <source>The certificate of {appliance} has CHANGED</source>
        <translation>Vaihteen {appliance} varmenne on VAIHTUNUT</translation>
    </message>
    <message>
        <location filename="../connect/dialogs.py" line="113"/>
        <source>first {n} characters</source>
        <translation>ensimmäiset {n} merkkiä</translation>
    </message>
    <message>
        <location filename="../connect/dialogs.py" line="117"/>
        <source>Do not connect</source>
        <translation>Älä yhdistä</translation>
    </message>
    <message>
        <location filename="../connect/dialogs.py" line="118"/>
        <source>Trust the new certificate</source>
        <translation>Luota uuteen varmenteeseen</translation>
    </message>
    <message>
        <location filename="../connect/dialogs.py" line="130"/>
        <source>The switchboard now presents a different certificate than the one this computer trusted. Either it has been reinstalled or reset, or another device on the network is pretending to be it. Nothing has been sent to it.</source>
        <translation>Vaihde esittää nyt eri varmenteen kuin se, johon tämä tietokone on luottanut. Joko vaihde on asennettu uudelleen tai palautettu tehdasasetuksiin, tai jokin muu laite verkossa esiintyy vaihteena. Sille ei ole lähetetty mitään.</translation>
    </message>
    <message>
        <location filename="../connect/dialogs.py" line="133"/>
        <source>Trusted until now:</source>
        <translation>Tähän asti luotettu:</translation>
    </message>
    <message>
        <location filename="../connect/dialogs.py" line="135"/>
        <source>Presented now:</source>
        <translation>Nyt esitetty:</translation>
    </message>
    <message>
        <location filename="../connect/dialogs.py" line="138"/>
        <source>If you know the switchboard was reinstalled, check the new fingerprint with &lt;b&gt;paivystys status&lt;/b&gt; on the switchboard and type its first {n} characters here:</source>
        <translation>Jos tiedät, että vaihde on asennettu uudelleen, tarkista uusi sormenjälki vaihteella komennolla &lt;b&gt;paivystys status&lt;/b&gt; ja kirjoita sen {n} ensimmäistä merkkiä tähän:</translation>
    </message>
</context>
<context>
    <name>ConnectWindow</name>
    <message>
        <location filename="../connect/window.py" line="70"/>
        <source>Päivystysvaihde – connect</source>
        <translation>Päivystysvaihde – yhdistä</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="108"/>
        <source>e.g. 192.168.1.20 or vaihde.local</source>
        <translation>esim. 192.168.1.20 tai vaihde.local</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="110"/>
        <source>Connect</source>
        <translation>Yhdistä</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="116"/>
        <location filename="../connect/window.py" line="155"/>
        <source>Try again</source>
        <translation>Yritä uudelleen</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="129"/>
        <source>Connect to a switchboard</source>
        <translation>Yhdistä vaihteeseen</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="131"/>
        <source>Switchboards found on this network and ones used before:</source>
        <translation>Tästä verkosta löytyneet ja aiemmin käytetyt vaihteet:</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="133"/>
        <source>Or type its address:</source>
        <translation>Tai kirjoita vaihteen osoite:</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="149"/>
        <source>Log in</source>
        <translation>Kirjaudu</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="152"/>
        <location filename="../connect/window.py" line="206"/>
        <source>Back</source>
        <translation>Takaisin</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="161"/>
        <source>Username:</source>
        <translation>Käyttäjätunnus:</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="162"/>
        <location filename="../connect/window.py" line="213"/>
        <source>Password:</source>
        <translation>Salasana:</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="185"/>
        <source>Nobody has set up this switchboard yet. Its screen (or &lt;b&gt;paivystys status&lt;/b&gt; on it) shows a one-time set-up code: with it you become the switchboard&apos;s first admin, who can then add the other users.</source>
        <translation>Kukaan ei ole vielä ottanut tätä vaihdetta käyttöön. Sen näytöllä (tai komennolla &lt;b&gt;paivystys status&lt;/b&gt; vaihteella) näkyy kertakäyttöinen käyttöönottokoodi: sillä sinusta tulee vaihteen ensimmäinen ylläpitäjä, joka voi sitten lisätä muut käyttäjät.</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="191"/>
        <source>e.g. 7KQ2-M9XD-3FRT-HB8W</source>
        <translation>esim. 7KQ2-M9XD-3FRT-HB8W</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="196"/>
        <source>e.g. toimisto</source>
        <translation>esim. toimisto</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="203"/>
        <source>Claim this switchboard</source>
        <translation>Ota vaihde käyttöön</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="211"/>
        <source>Set-up code:</source>
        <translation>Käyttöönottokoodi:</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="212"/>
        <source>Admin&apos;s username:</source>
        <translation>Ylläpitäjän tunnus:</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="214"/>
        <source>At least 10 characters, and not easy to guess.</source>
        <translation>Vähintään 10 merkkiä, eikä helppo arvata.</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="215"/>
        <source>Password again:</source>
        <translation>Salasana uudelleen:</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="223"/>
        <source>The certificate fingerprint of the switchboard this computer is talking to. It must be the same as the one the switchboard shows next to its set-up code. If it is not, do not claim: another device may be answering in its name.</source>
        <translation>Sen vaihteen varmenteen sormenjälki, jonka kanssa tämä tietokone keskustelee. Sen on oltava sama kuin se, jonka vaihde näyttää käyttöönottokoodinsa vieressä. Jos se ei ole, älä ota vaihdetta käyttöön: jokin muu laite voi vastata sen nimissä.</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="262"/>
        <source>used before as {user}</source>
        <translation>käytetty aiemmin tunnuksella {user}</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="263"/>
        <source>used before</source>
        <translation>käytetty aiemmin</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="283"/>
        <source>on this network</source>
        <translation>tässä verkossa</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="285"/>
        <source>on this network, used before</source>
        <translation>tässä verkossa, käytetty aiemmin</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="308"/>
        <source>That is not an address. Type e.g. 192.168.1.20, vaihde.local or https://vaihde.local:8443.</source>
        <translation>Tämä ei ole osoite. Kirjoita esim. 192.168.1.20, vaihde.local tai https://vaihde.local:8443.</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="316"/>
        <location filename="../connect/window.py" line="349"/>
        <source>Connecting to {address}…</source>
        <translation>Yhdistetään osoitteeseen {address}…</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="332"/>
        <source>Not connected: the certificate of {name} has changed.</source>
        <translation>Ei yhdistetty: vaihteen {name} varmenne on vaihtunut.</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="404"/>
        <source>Log in to {name}</source>
        <translation>Kirjaudu vaihteeseen {name}</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="418"/>
        <source>Type your username and password.</source>
        <translation>Kirjoita käyttäjätunnus ja salasana.</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="421"/>
        <source>Logging in…</source>
        <translation>Kirjaudutaan…</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="466"/>
        <source>Claim {name}</source>
        <translation>Ota käyttöön: {name}</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="485"/>
        <source>Claiming…</source>
        <translation>Otetaan käyttöön…</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="492"/>
        <source>Type the set-up code the switchboard shows.</source>
        <translation>Kirjoita vaihteen näyttämä käyttöönottokoodi.</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="494"/>
        <source>Choose a username for the admin, e.g. toimisto.</source>
        <translation>Valitse ylläpitäjälle tunnus, esim. toimisto.</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="496"/>
        <source>Choose a password for the admin.</source>
        <translation>Valitse ylläpitäjälle salasana.</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="499"/>
        <source>The two passwords differ: type the same password twice.</source>
        <translation>Salasanat eroavat: kirjoita sama salasana kahdesti.</translation>
    </message>
    <message>
        <location filename="../connect/window.py" line="519"/>
        <source>Too many wrong set-up codes from this computer: try again at {time}.</source>
        <translation>Liian monta väärää käyttöönottokoodia tältä tietokoneelta: yritä uudelleen kello {time}.</translation>
    </message>
</context>
<context>
    <name>Desktop</name>
    <message>
        <location filename="../desktop.py" line="105"/>
        <source>Add the console to this user&apos;s application menu.</source>
        <translation>Lisää ohjelma tämän käyttäjän sovellusvalikkoon.</translation>
    </message>
    <message>
        <location filename="../desktop.py" line="107"/>
        <source>remove the menu entry and the icon instead</source>
        <translation>poista sen sijaan valikkokohta ja kuvake</translation>
    </message>
    <message>
        <location filename="../desktop.py" line="111"/>
        <source>This system has no freedesktop.org application menu. Start the console with {command}, or pin or link that.</source>
        <translation>Tässä järjestelmässä ei ole freedesktop.org-sovellusvalikkoa. Käynnistä ohjelma komennolla {command} tai kiinnitä tai linkitä se.</translation>
    </message>
    <message>
        <location filename="../desktop.py" line="118"/>
        <source>Removed {path}</source>
        <translation>Poistettu {path}</translation>
    </message>
    <message>
        <location filename="../desktop.py" line="121"/>
        <source>Wrote {path}</source>
        <translation>Kirjoitettu {path}</translation>
    </message>
</context>
<context>
    <name>EditDialog</name>
    <message>
        <location filename="../manage/forms.py" line="42"/>
        <source>Save</source>
        <translation>Tallenna</translation>
    </message>
    <message>
        <location filename="../manage/forms.py" line="44"/>
        <source>Cancel</source>
        <translation>Peruuta</translation>
    </message>
    <message>
        <location filename="../manage/forms.py" line="101"/>
        <source>Saving…</source>
        <translation>Tallennetaan…</translation>
    </message>
</context>
<context>
    <name>Failures</name>
    <message>
        <location filename="../widgets/failures.py" line="21"/>
        <source>Wrong username or password.</source>
        <translation>Väärä käyttäjätunnus tai salasana.</translation>
    </message>
    <message>
        <location filename="../widgets/failures.py" line="23"/>
        <source>Your login has expired or was ended on the switchboard. Log in again.</source>
        <translation>Kirjautumisesi on vanhentunut tai se on lopetettu vaihteella. Kirjaudu uudelleen.</translation>
    </message>
    <message>
        <location filename="../widgets/failures.py" line="27"/>
        <source>Too many wrong passwords: this user is locked until {time}. An admin can unlock it sooner.</source>
        <translation>Liian monta väärää salasanaa: käyttäjä on lukittu kello {time} asti. Ylläpitäjä voi avata lukon aiemmin.</translation>
    </message>
    <message>
        <location filename="../widgets/failures.py" line="31"/>
        <source>Too many failed logins from this computer. Wait {seconds} s and try again.</source>
        <translation>Liian monta epäonnistunutta kirjautumista tältä tietokoneelta. Odota {seconds} s ja yritä uudelleen.</translation>
    </message>
    <message>
        <location filename="../widgets/failures.py" line="36"/>
        <source>The switchboard does not answer. Check that it is powered on and that this computer is on the same network.</source>
        <translation>Vaihde ei vastaa. Tarkista, että se on päällä ja että tämä tietokone on samassa verkossa.</translation>
    </message>
    <message>
        <location filename="../widgets/failures.py" line="40"/>
        <source>The switchboard presented a different certificate than the one you trusted. Nothing was sent to it. Connect again to see the details.</source>
        <translation>Vaihde esitti eri varmenteen kuin se, johon luotit. Sille ei lähetetty mitään. Yhdistä uudelleen nähdäksesi tiedot.</translation>
    </message>
    <message>
        <location filename="../widgets/failures.py" line="44"/>
        <source>Your user is not allowed to do this.</source>
        <translation>Käyttäjätunnuksellasi ei ole oikeutta tähän.</translation>
    </message>
    <message>
        <location filename="../widgets/failures.py" line="46"/>
        <source>It is no longer there: someone may have removed it meanwhile.</source>
        <translation>Sitä ei enää ole: joku on ehkä poistanut sen sillä välin.</translation>
    </message>
    <message>
        <location filename="../widgets/failures.py" line="49"/>
        <source>The value of “{field}” was refused: {reason}</source>
        <translation>Kentän ”{field}” arvo hylättiin: {reason}</translation>
    </message>
    <message>
        <location filename="../widgets/failures.py" line="53"/>
        <source>The switchboard refused the request: {reason}</source>
        <translation>Vaihde hylkäsi pyynnön: {reason}</translation>
    </message>
    <message>
        <location filename="../widgets/failures.py" line="56"/>
        <source>The switchboard ran into an error. Try again; if it keeps happening, see its health page or log.</source>
        <translation>Vaihteessa tapahtui virhe. Yritä uudelleen; jos virhe toistuu, katso vaihteen kuntotiedot tai loki.</translation>
    </message>
</context>
<context>
    <name>FingerprintDialog</name>
    <message>
        <location filename="../connect/dialogs.py" line="59"/>
        <source>New switchboard</source>
        <translation>Uusi vaihde</translation>
    </message>
    <message>
        <location filename="../connect/dialogs.py" line="61"/>
        <source>Is this your switchboard?</source>
        <translation>Onko tämä teidän vaihteenne?</translation>
    </message>
    <message>
        <location filename="../connect/dialogs.py" line="63"/>
        <source>Cancel</source>
        <translation>Peruuta</translation>
    </message>
    <message>
        <location filename="../connect/dialogs.py" line="64"/>
        <source>Trust and connect</source>
        <translation>Luota ja yhdistä</translation>
    </message>
    <message>
        <location filename="../connect/dialogs.py" line="75"/>
        <source>This computer has not connected to {appliance} before. Its certificate fingerprint is:</source>
        <translation>Tämä tietokone ei ole ennen yhdistänyt vaihteeseen {appliance}. Sen varmenteen sormenjälki on:</translation>
    </message>
    <message>
        <location filename="../connect/dialogs.py" line="79"/>
        <source>Compare it with what the command &lt;b&gt;paivystys status&lt;/b&gt; shows on the switchboard, or its own screen before it is set up (or ask the person who installed it). Trust it only if they are the same: from then on this computer talks only to the switchboard with this certificate.</source>
        <translation>Vertaa sitä siihen, minkä komento &lt;b&gt;paivystys status&lt;/b&gt; näyttää vaihteella, tai vaihteen omaan näyttöön ennen käyttöönottoa (tai kysy vaihteen asentajalta). Luota vain, jos ne ovat samat: sen jälkeen tämä tietokone keskustelee vain vaihteen kanssa, jolla on tämä varmenne.</translation>
    </message>
</context>
<context>
    <name>Formatting</name>
    <message>
        <location filename="../formatting/__init__.py" line="92"/>
        <source>{hours} h {minutes} min {seconds} s</source>
        <translation>{hours} h {minutes} min {seconds} s</translation>
    </message>
    <message>
        <location filename="../formatting/__init__.py" line="94"/>
        <source>{minutes} min {seconds} s</source>
        <translation>{minutes} min {seconds} s</translation>
    </message>
    <message>
        <location filename="../formatting/__init__.py" line="96"/>
        <source>{seconds} s</source>
        <translation>{seconds} s</translation>
    </message>
    <message>
        <location filename="../formatting/__init__.py" line="158"/>
        <source>withheld number</source>
        <translation>salainen numero</translation>
    </message>
</context>
<context>
    <name>GroupDialog</name>
    <message>
        <location filename="../manage/groups.py" line="41"/>
        <source>New group</source>
        <translation>Uusi ryhmä</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="42"/>
        <source>Rename {name}</source>
        <translation>Nimeä ryhmä {name} uudelleen</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="47"/>
        <source>e.g. Maintenance</source>
        <translation>esim. Huolto</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="48"/>
        <source>Name:</source>
        <translation>Nimi:</translation>
    </message>
</context>
<context>
    <name>GroupsPage</name>
    <message>
        <location filename="../manage/groups.py" line="71"/>
        <source>Group</source>
        <translation>Ryhmä</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="72"/>
        <source>People</source>
        <translation>Henkilöt</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="74"/>
        <source>Rings for</source>
        <translation>Päivystysnumerot</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="75"/>
        <source>Backup for</source>
        <translation>Varana numeroille</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="81"/>
        <source>New group…</source>
        <translation>Uusi ryhmä…</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="83"/>
        <source>Rename…</source>
        <translation>Nimeä uudelleen…</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="85"/>
        <source>Delete…</source>
        <translation>Poista…</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="89"/>
        <location filename="../manage/groups.py" line="172"/>
        <source>People in the group</source>
        <translation>Ryhmän henkilöt</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="91"/>
        <source>Name</source>
        <translation>Nimi</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="92"/>
        <source>Phone</source>
        <translation>Puhelin</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="93"/>
        <source>Duty</source>
        <translation>Päivystys</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="93"/>
        <source>on duty</source>
        <translation>päivystämässä</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="94"/>
        <source>off duty</source>
        <translation>ei päivystämässä</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="101"/>
        <source>Choose a person</source>
        <translation>Valitse henkilö</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="103"/>
        <source>Add to group</source>
        <translation>Lisää ryhmään</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="105"/>
        <source>Remove from group</source>
        <translation>Poista ryhmästä</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="111"/>
        <source>Groups</source>
        <translation>Ryhmät</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="144"/>
        <source>{count} ({on_duty} on duty)</source>
        <translation>{count} ({on_duty} päivystämässä)</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="171"/>
        <source>People in {group}</source>
        <translation>Ryhmän {group} henkilöt</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="194"/>
        <source>Group added. Now add its people on the right.</source>
        <translation>Ryhmä lisätty. Lisää nyt sen henkilöt oikealla.</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="201"/>
        <source>Group renamed.</source>
        <translation>Ryhmä nimetty uudelleen.</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="222"/>
        <source>{number} rings only this group: it would ring nobody.</source>
        <translation>Numero {number} soittaa vain tälle ryhmälle, joten se ei soittaisi enää kenellekään.</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="225"/>
        <source>{number} stops ringing this group.</source>
        <translation>Numero {number} lakkaa soittamasta tälle ryhmälle.</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="228"/>
        <source>{number} is left without a backup group.</source>
        <translation>Numero {number} jää ilman vararyhmää.</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="231"/>
        <source>Its people ({count}) stay; only their membership in this group ends.</source>
        <translation>Sen henkilöt ({count}) säilyvät; vain heidän jäsenyytensä tässä ryhmässä päättyy.</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="235"/>
        <location filename="../manage/groups.py" line="237"/>
        <source>Delete group</source>
        <translation>Poista ryhmä</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="236"/>
        <source>Delete the group {name}?</source>
        <translation>Poistetaanko ryhmä {name}?</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="239"/>
        <source>Group {name} deleted.</source>
        <translation>Ryhmä {name} poistettu.</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="252"/>
        <source>{person} added to {group}.</source>
        <translation>{person} lisätty ryhmään {group}.</translation>
    </message>
    <message>
        <location filename="../manage/groups.py" line="262"/>
        <source>{person} removed from {group}.</source>
        <translation>{person} poistettu ryhmästä {group}.</translation>
    </message>
</context>
<context>
    <name>HealthStrip</name>
    <message>
        <location filename="../main/window.py" line="54"/>
        <source>Asterisk: …</source>
        <translation>Asterisk: …</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="55"/>
        <source>Trunk: …</source>
        <translation>Runkolinja: …</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="56"/>
        <source>Modem: …</source>
        <translation>Modeemi: …</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="57"/>
        <source>Disk: …</source>
        <translation>Levy: …</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="78"/>
        <source>Asterisk: running</source>
        <translation>Asterisk: käynnissä</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="79"/>
        <source>Asterisk: down</source>
        <translation>Asterisk: poissa käytöstä</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="79"/>
        <source>Asterisk: not known</source>
        <translation>Asterisk: ei tiedossa</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="80"/>
        <source>Trunk: registered</source>
        <translation>Runkolinja: rekisteröity</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="81"/>
        <source>Trunk: down</source>
        <translation>Runkolinja: poissa käytöstä</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="81"/>
        <source>Trunk: not known</source>
        <translation>Runkolinja: ei tiedossa</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="87"/>
        <source>Modem signal: {percent} %</source>
        <translation>Modeemin signaali: {percent} %</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="89"/>
        <source>Modem: registered</source>
        <translation>Modeemi: rekisteröity</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="90"/>
        <source>Modem: the SIM needs attention (Manage, Modem)</source>
        <translation>Modeemi: SIM-kortti vaatii toimia (Hallinta, Modeemi)</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="91"/>
        <source>Modem: {state}</source>
        <translation>Modeemi: {state}</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="92"/>
        <source>Modem: not known</source>
        <translation>Modeemi: ei tiedossa</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="94"/>
        <source>Disk free: {gigabytes} GB</source>
        <translation>Levyä vapaana: {gigabytes} Gt</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="100"/>
        <source>Changes not yet in use</source>
        <translation>Muutokset eivät vielä käytössä</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="106"/>
        <source>Database damaged: restore the backup of {time} (Manage, Backups)</source>
        <translation>Tietokanta vaurioitunut: palauta varmuuskopio ajalta {time} (Hallinta, Varmuuskopiot)</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="109"/>
        <source>Database damaged: no backup on the switchboard</source>
        <translation>Tietokanta vaurioitunut: vaihteessa ei ole varmuuskopiota</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="115"/>
        <source>Health not updated: {reason}</source>
        <translation>Tilaa ei päivitetty: {reason}</translation>
    </message>
</context>
<context>
    <name>LegsModel</name>
    <message>
        <location filename="../calllog/model.py" line="146"/>
        <source>Person</source>
        <translation>Henkilö</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="147"/>
        <source>Group</source>
        <translation>Ryhmä</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="148"/>
        <source>Stage</source>
        <translation>Vaihe</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="149"/>
        <source>Result</source>
        <translation>Tulos</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="150"/>
        <source>Rung</source>
        <translation>Soitettu</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="151"/>
        <source>Answered</source>
        <translation>Vastattu</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="152"/>
        <source>Phone</source>
        <translation>Puhelin</translation>
    </message>
    <message>
        <location filename="../calllog/model.py" line="136"/>
        <source>ringing</source>
        <translation>soi</translation>
    </message>
</context>
<context>
    <name>ListeningCallsModel</name>
    <message>
        <location filename="../calllog/listening.py" line="70"/>
        <source>in progress</source>
        <translation>käynnissä</translation>
    </message>
    <message>
        <location filename="../calllog/listening.py" line="71"/>
        <source>not identified</source>
        <translation>ei tunnistettu</translation>
    </message>
    <message>
        <location filename="../calllog/listening.py" line="72"/>
        <source>{name} (not let in)</source>
        <translation>{name} (ei päästetty)</translation>
    </message>
    <message>
        <location filename="../calllog/listening.py" line="87"/>
        <source>Arrived</source>
        <translation>Saapui</translation>
    </message>
    <message>
        <location filename="../calllog/listening.py" line="89"/>
        <source>Caller</source>
        <translation>Soittaja</translation>
    </message>
    <message>
        <location filename="../calllog/listening.py" line="90"/>
        <source>Who listened</source>
        <translation>Kuuntelija</translation>
    </message>
    <message>
        <location filename="../calllog/listening.py" line="91"/>
        <source>Outcome</source>
        <translation>Tulos</translation>
    </message>
    <message>
        <location filename="../calllog/listening.py" line="92"/>
        <source>Recordings</source>
        <translation>Nauhoitteet</translation>
    </message>
</context>
<context>
    <name>ListeningEventsModel</name>
    <message>
        <location filename="../calllog/listening.py" line="103"/>
        <source>no longer in the call log</source>
        <translation>ei enää puhelulokissa</translation>
    </message>
    <message>
        <location filename="../calllog/listening.py" line="108"/>
        <source>call of {time} from {caller}</source>
        <translation>puhelu {time} numerosta {caller}</translation>
    </message>
    <message>
        <location filename="../calllog/listening.py" line="113"/>
        <source>Time</source>
        <translation>Aika</translation>
    </message>
    <message>
        <location filename="../calllog/listening.py" line="114"/>
        <source>Action</source>
        <translation>Toiminto</translation>
    </message>
    <message>
        <location filename="../calllog/listening.py" line="116"/>
        <source>Recording</source>
        <translation>Nauhoite</translation>
    </message>
</context>
<context>
    <name>ListeningLog</name>
    <message>
        <location filename="../calllog/listening.py" line="34"/>
        <source>listened</source>
        <translation>kuunteli</translation>
    </message>
    <message>
        <location filename="../calllog/listening.py" line="35"/>
        <source>refused (PIN, lock or personal number)</source>
        <translation>torjuttu (PIN, lukitus tai henkilönumero)</translation>
    </message>
    <message>
        <location filename="../calllog/listening.py" line="37"/>
        <source>no PIN set</source>
        <translation>PIN-koodia ei asetettu</translation>
    </message>
    <message>
        <location filename="../calllog/listening.py" line="38"/>
        <source>hung up before the PIN</source>
        <translation>katkaisi ennen PIN-koodia</translation>
    </message>
    <message>
        <location filename="../calllog/listening.py" line="44"/>
        <source>played</source>
        <translation>kuunneltu</translation>
    </message>
    <message>
        <location filename="../calllog/listening.py" line="45"/>
        <source>deleted</source>
        <translation>poistettu</translation>
    </message>
    <message>
        <location filename="../calllog/listening.py" line="55"/>
        <source>{count} played</source>
        <translation>{count} kuunneltu</translation>
    </message>
    <message>
        <location filename="../calllog/listening.py" line="58"/>
        <source>{count} deleted</source>
        <translation>{count} poistettu</translation>
    </message>
</context>
<context>
    <name>ListeningLogView</name>
    <message>
        <location filename="../calllog/listening.py" line="140"/>
        <source>Calls to the listening line, where people hear their own recordings by phone.</source>
        <translation>Puhelut kuuntelunumeroon, josta päivystäjät kuuntelevat omia nauhoitteitaan puhelimella.</translation>
    </message>
    <message>
        <location filename="../calllog/listening.py" line="145"/>
        <source>Refresh</source>
        <translation>Päivitä</translation>
    </message>
    <message>
        <location filename="../calllog/listening.py" line="146"/>
        <source>Show the newest calls (F5)</source>
        <translation>Näytä uusimmat puhelut (F5)</translation>
    </message>
    <message>
        <location filename="../calllog/listening.py" line="157"/>
        <source>Recordings the chosen call played or deleted:</source>
        <translation>Valitun puhelun aikana kuunnellut tai poistetut nauhoitteet:</translation>
    </message>
    <message>
        <location filename="../calllog/listening.py" line="169"/>
        <source>More</source>
        <translation>Lisää</translation>
    </message>
    <message>
        <location filename="../calllog/listening.py" line="209"/>
        <source>Loading…</source>
        <translation>Ladataan…</translation>
    </message>
    <message>
        <location filename="../calllog/listening.py" line="229"/>
        <source>{shown} of {total} calls</source>
        <translation>{shown} / {total} puhelua</translation>
    </message>
</context>
<context>
    <name>ListeningNumberDialog</name>
    <message>
        <location filename="../manage/listening.py" line="38"/>
        <source>New listening number</source>
        <translation>Uusi kuuntelunumero</translation>
    </message>
    <message>
        <location filename="../manage/listening.py" line="39"/>
        <source>Edit {number}</source>
        <translation>Muokkaa numeroa {number}</translation>
    </message>
    <message>
        <location filename="../manage/listening.py" line="44"/>
        <source>e.g. 020 123 4568</source>
        <translation>esim. 020 123 4568</translation>
    </message>
    <message>
        <location filename="../manage/listening.py" line="47"/>
        <source>e.g. Listen to recordings</source>
        <translation>esim. Nauhoitteiden kuuntelu</translation>
    </message>
    <message>
        <location filename="../manage/listening.py" line="48"/>
        <source>Number:</source>
        <translation>Numero:</translation>
    </message>
    <message>
        <location filename="../manage/listening.py" line="49"/>
        <source>The number people call to hear their recordings; not one of the on-call numbers.</source>
        <translation>Numero, josta päivystäjät kuuntelevat nauhoitteitaan; ei mikään päivystysnumeroista.</translation>
    </message>
    <message>
        <location filename="../manage/listening.py" line="51"/>
        <source>Name:</source>
        <translation>Nimi:</translation>
    </message>
</context>
<context>
    <name>ListeningNumbersPage</name>
    <message>
        <location filename="../manage/listening.py" line="76"/>
        <source>Number</source>
        <translation>Numero</translation>
    </message>
    <message>
        <location filename="../manage/listening.py" line="77"/>
        <source>Name</source>
        <translation>Nimi</translation>
    </message>
    <message>
        <location filename="../manage/listening.py" line="84"/>
        <source>New listening number…</source>
        <translation>Uusi kuuntelunumero…</translation>
    </message>
    <message>
        <location filename="../manage/listening.py" line="86"/>
        <source>Edit…</source>
        <translation>Muokkaa…</translation>
    </message>
    <message>
        <location filename="../manage/listening.py" line="88"/>
        <source>Delete…</source>
        <translation>Poista…</translation>
    </message>
    <message>
        <location filename="../manage/listening.py" line="96"/>
        <source>People call a listening number to hear the recordings of the calls they answered. They key their PIN (from another phone, their personal number first); each sets the PIN in their own account, or an admin sets it under People.</source>
        <translation>Kuuntelunumerosta päivystäjät kuuntelevat vastaamiensa puhelujen nauhoitteet. He näppäilevät PIN-koodinsa (muusta puhelimesta ensin henkilönumeronsa); PIN-koodin asettaa kukin omalla tilillään tai ylläpitäjä Henkilöt-välilehdellä.</translation>
    </message>
    <message>
        <location filename="../manage/listening.py" line="114"/>
        <source>Listening numbers: {total}</source>
        <translation>Kuuntelunumeroita: {total}</translation>
    </message>
    <message>
        <location filename="../manage/listening.py" line="125"/>
        <source>Listening number added.</source>
        <translation>Kuuntelunumero lisätty.</translation>
    </message>
    <message>
        <location filename="../manage/listening.py" line="131"/>
        <source>Changes saved.</source>
        <translation>Muutokset tallennettu.</translation>
    </message>
    <message>
        <location filename="../manage/listening.py" line="139"/>
        <source>Delete listening number</source>
        <translation>Poista kuuntelunumero</translation>
    </message>
    <message>
        <location filename="../manage/listening.py" line="140"/>
        <source>Delete the listening number {number}?</source>
        <translation>Poistetaanko kuuntelunumero {number}?</translation>
    </message>
    <message>
        <location filename="../manage/listening.py" line="141"/>
        <source>Calls to it no longer reach the listening line.</source>
        <translation>Siihen soitetut puhelut eivät enää pääse kuuntelemaan nauhoitteita.</translation>
    </message>
    <message>
        <location filename="../manage/listening.py" line="142"/>
        <source>The recordings and the PINs stay; the call log keeps its past calls.</source>
        <translation>Nauhoitteet ja PIN-koodit säilyvät; puheluloki säilyttää aiemmat puhelut.</translation>
    </message>
    <message>
        <location filename="../manage/listening.py" line="144"/>
        <source>Delete number</source>
        <translation>Poista numero</translation>
    </message>
    <message>
        <location filename="../manage/listening.py" line="146"/>
        <source>{number} deleted.</source>
        <translation>Numero {number} poistettu.</translation>
    </message>
</context>
<context>
    <name>LiveCallsModel</name>
    <message>
        <location filename="../live/model.py" line="151"/>
        <source>Number</source>
        <translation>Numero</translation>
    </message>
    <message>
        <location filename="../live/model.py" line="155"/>
        <source>Caller</source>
        <translation>Soittaja</translation>
    </message>
    <message>
        <location filename="../live/model.py" line="158"/>
        <source>Waited</source>
        <translation>Odottanut</translation>
    </message>
    <message>
        <location filename="../live/model.py" line="160"/>
        <source>State</source>
        <translation>Tila</translation>
    </message>
    <message>
        <location filename="../live/model.py" line="162"/>
        <source>Answered by</source>
        <translation>Vastaaja</translation>
    </message>
    <message>
        <location filename="../live/model.py" line="164"/>
        <source>People rung</source>
        <translation>Kenelle soi</translation>
    </message>
    <message>
        <location filename="../live/model.py" line="197"/>
        <source>ended: {outcome}</source>
        <translation>päättynyt: {outcome}</translation>
    </message>
    <message>
        <location filename="../live/model.py" line="198"/>
        <source>ended</source>
        <translation>päättynyt</translation>
    </message>
    <message>
        <location filename="../live/model.py" line="200"/>
        <source>talking {duration}</source>
        <translation>puhelussa {duration}</translation>
    </message>
    <message>
        <location filename="../live/model.py" line="203"/>
        <source>talking</source>
        <translation>puhelussa</translation>
    </message>
    <message>
        <location filename="../live/model.py" line="205"/>
        <source>connecting</source>
        <translation>yhdistetään</translation>
    </message>
    <message>
        <location filename="../live/model.py" line="206"/>
        <source>ringing</source>
        <translation>soi</translation>
    </message>
    <message>
        <location filename="../live/model.py" line="213"/>
        <source>{person} (backup): {state}</source>
        <translation>{person} (vara): {state}</translation>
    </message>
    <message>
        <location filename="../live/model.py" line="216"/>
        <source>{person}: {state}</source>
        <translation>{person}: {state}</translation>
    </message>
</context>
<context>
    <name>LiveView</name>
    <message>
        <location filename="../live/model.py" line="129"/>
        <source>ringing</source>
        <translation>soi</translation>
    </message>
    <message>
        <location filename="../live/model.py" line="130"/>
        <source>answered, not pressed 1 yet</source>
        <translation>vastasi, ei ole vielä painanut 1</translation>
    </message>
    <message>
        <location filename="../live/view.py" line="145"/>
        <source>Connect again</source>
        <translation>Yhdistä uudelleen</translation>
    </message>
    <message>
        <location filename="../live/view.py" line="147"/>
        <source>No calls in progress.</source>
        <translation>Ei käynnissä olevia puheluita.</translation>
    </message>
    <message>
        <location filename="../live/view.py" line="189"/>
        <source>Connecting…</source>
        <translation>Yhdistetään…</translation>
    </message>
    <message>
        <location filename="../live/view.py" line="223"/>
        <source>Connected: calls appear here as they come in.</source>
        <translation>Yhdistetty: puhelut näkyvät tässä sitä mukaa kuin niitä tulee.</translation>
    </message>
    <message>
        <location filename="../live/view.py" line="271"/>
        <source>Not connected: the session has ended.</source>
        <translation>Ei yhdistetty: istunto on päättynyt.</translation>
    </message>
    <message>
        <location filename="../live/view.py" line="278"/>
        <source>Not connected: only admins can follow calls live.</source>
        <translation>Ei yhdistetty: vain ylläpitäjät voivat seurata puheluita reaaliajassa.</translation>
    </message>
    <message>
        <location filename="../live/view.py" line="281"/>
        <source>Not connected.</source>
        <translation>Ei yhdistetty.</translation>
    </message>
    <message>
        <location filename="../live/view.py" line="289"/>
        <source>Not connected: this console and the switchboard speak different versions of the live view.</source>
        <translation>Ei yhdistetty: tämä konsoli ja vaihde käyttävät reaaliaikanäkymän eri versioita.</translation>
    </message>
    <message>
        <location filename="../live/view.py" line="291"/>
        <source>Update the console or the switchboard, whichever is older. ({detail})</source>
        <translation>Päivitä konsoli tai vaihde, kumpi niistä on vanhempi. ({detail})</translation>
    </message>
    <message>
        <location filename="../live/view.py" line="307"/>
        <source>Connection lost. Trying again in {seconds} s.</source>
        <translation>Yhteys katkesi. Yritetään uudelleen {seconds} s kuluttua.</translation>
    </message>
    <message>
        <location filename="../live/view.py" line="310"/>
        <source>Connection lost. Connecting…</source>
        <translation>Yhteys katkesi. Yhdistetään…</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../main/window.py" line="146"/>
        <source>Päivystysvaihde – {name}</source>
        <translation>Päivystysvaihde – {name}</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="156"/>
        <source>On-call calls</source>
        <translation>Päivystyspuhelut</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="157"/>
        <source>Listening line</source>
        <translation>Kuuntelunumero</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="168"/>
        <source>Live</source>
        <translation>Seuranta</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="169"/>
        <source>Calls</source>
        <translation>Puhelut</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="172"/>
        <source>Recordings</source>
        <translation>Nauhoitteet</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="177"/>
        <source>My account</source>
        <translation>Oma tili</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="184"/>
        <source>Manage</source>
        <translation>Hallinta</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="186"/>
        <source>Log out</source>
        <translation>Kirjaudu ulos</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="206"/>
        <source>Switchboard: {name} ({address})</source>
        <translation>Vaihde: {name} ({address})</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="225"/>
        <source>admin</source>
        <translation>ylläpitäjä</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="225"/>
        <source>on-call person</source>
        <translation>päivystäjä</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="227"/>
        <source>Logged in as {user} ({role})</source>
        <translation>Kirjautuneena {user} ({role})</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="232"/>
        <source>on duty</source>
        <translation>päivystämässä</translation>
    </message>
    <message>
        <location filename="../main/window.py" line="232"/>
        <source>off duty</source>
        <translation>ei päivystämässä</translation>
    </message>
</context>
<context>
    <name>ManagePage</name>
    <message>
        <location filename="../manage/page.py" line="76"/>
        <source>Not done: {reason}</source>
        <translation>Ei tehty: {reason}</translation>
    </message>
    <message>
        <location filename="../manage/page.py" line="126"/>
        <source>Cancel</source>
        <translation>Peruuta</translation>
    </message>
</context>
<context>
    <name>ManageView</name>
    <message>
        <location filename="../manage/view.py" line="56"/>
        <source>People</source>
        <translation>Henkilöt</translation>
    </message>
    <message>
        <location filename="../manage/view.py" line="57"/>
        <source>Groups</source>
        <translation>Ryhmät</translation>
    </message>
    <message>
        <location filename="../manage/view.py" line="58"/>
        <source>On-call numbers</source>
        <translation>Päivystysnumerot</translation>
    </message>
    <message>
        <location filename="../manage/view.py" line="59"/>
        <source>Listening numbers</source>
        <translation>Kuuntelunumerot</translation>
    </message>
    <message>
        <location filename="../manage/view.py" line="60"/>
        <source>Users</source>
        <translation>Käyttäjät</translation>
    </message>
    <message>
        <location filename="../manage/view.py" line="61"/>
        <source>Settings</source>
        <translation>Asetukset</translation>
    </message>
    <message>
        <location filename="../manage/view.py" line="62"/>
        <source>SMS texts</source>
        <translation>Tekstiviestit</translation>
    </message>
    <message>
        <location filename="../manage/view.py" line="63"/>
        <source>Trunk</source>
        <translation>Runkolinja</translation>
    </message>
    <message>
        <location filename="../manage/view.py" line="64"/>
        <source>Modem</source>
        <translation>Modeemi</translation>
    </message>
    <message>
        <location filename="../manage/view.py" line="65"/>
        <source>Software</source>
        <translation>Ohjelmisto</translation>
    </message>
    <message>
        <location filename="../manage/view.py" line="66"/>
        <source>Network</source>
        <translation>Verkko</translation>
    </message>
    <message>
        <location filename="../manage/view.py" line="67"/>
        <source>Backups</source>
        <translation>Varmuuskopiot</translation>
    </message>
    <message>
        <location filename="../manage/view.py" line="74"/>
        <source>&lt;h3&gt;Only an admin can manage the switchboard&lt;/h3&gt;&lt;p&gt;You are logged in with an on-call person&apos;s account. Log in as an admin to manage people, groups and numbers.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Vain ylläpitäjä voi hallita vaihdetta&lt;/h3&gt;&lt;p&gt;Olet kirjautunut päivystäjän tunnuksella. Kirjaudu ylläpitäjänä, jotta voit hallita henkilöitä, ryhmiä ja numeroita.&lt;/p&gt;</translation>
    </message>
</context>
<context>
    <name>ModemPage</name>
    <message>
        <location filename="../manage/modem.py" line="41"/>
        <location filename="../manage/modem.py" line="44"/>
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="49"/>
        <source>Modem:</source>
        <translation>Modeemi:</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="50"/>
        <source>SIM:</source>
        <translation>SIM-kortti:</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="59"/>
        <source>SIM PIN:</source>
        <translation>SIM-kortin PIN:</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="60"/>
        <source>Stored on the switchboard and never shown. The switchboard enters a PIN only once: a SIM gives three tries, then only its PUK opens it.</source>
        <translation>Tallennetaan vaihteeseen, eikä sitä näytetä koskaan. Vaihde syöttää PIN-koodin vain kerran: SIM-kortti sallii kolme yritystä, minkä jälkeen sen avaa vain PUK-koodi.</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="62"/>
        <source>Store PIN</source>
        <translation>Tallenna PIN</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="65"/>
        <source>Clear stored PIN…</source>
        <translation>Poista tallennettu PIN…</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="75"/>
        <source>Modem and SIM card</source>
        <translation>Modeemi ja SIM-kortti</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="110"/>
        <source>stored: type a new one only to replace it</source>
        <translation>tallennettu: kirjoita uusi vain, jos haluat vaihtaa sen</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="111"/>
        <source>4 to 8 digits</source>
        <translation>4–8 numeroa</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="116"/>
        <source>No report yet from the modem service.</source>
        <translation>Modeemipalvelu ei ole vielä raportoinut.</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="118"/>
        <source>Not known: the modem service has stopped reporting.</source>
        <translation>Ei tiedossa: modeemipalvelu on lakannut raportoimasta.</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="121"/>
        <source>, signal {percent} %</source>
        <translation>, signaali {percent} %</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="124"/>
        <source>Registered to {operator}{signal}.</source>
        <translation>Rekisteröitynyt verkkoon {operator}{signal}.</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="126"/>
        <source>Registered{signal}.</source>
        <translation>Rekisteröitynyt{signal}.</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="128"/>
        <source>Answers; waits for its SIM card.</source>
        <translation>Vastaa; odottaa SIM-korttiaan.</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="130"/>
        <source>Answers, but has no network: messages wait.</source>
        <translation>Vastaa, mutta verkkoa ei ole: viestit odottavat.</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="131"/>
        <source>Does not answer: {reason}</source>
        <translation>Ei vastaa: {reason}</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="132"/>
        <source>no modem found</source>
        <translation>modeemia ei löydy</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="138"/>
        <source>tries left: {count}</source>
        <translation>yrityksiä jäljellä: {count}</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="140"/>
        <source>Open.</source>
        <translation>Avattu.</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="142"/>
        <source>Waits for its PIN{tries}, and none is stored. Enter it below.</source>
        <translation>Odottaa PIN-koodiaan{tries}, eikä sitä ole tallennettu. Kirjoita se alle.</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="145"/>
        <source>Refused the stored PIN{tries}. It is not entered again: enter the right PIN below.</source>
        <translation>Ei hyväksynyt tallennettua PIN-koodia{tries}. Sitä ei syötetä uudelleen: kirjoita oikea PIN alle.</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="148"/>
        <source>Locked after three wrong PINs. Unlock it in a phone with the PUK from the SIM card&apos;s papers, put it back, then store its PIN here.</source>
        <translation>Lukittu kolmen väärän PIN-koodin jälkeen. Avaa se puhelimessa SIM-kortin papereissa olevalla PUK-koodilla, laita se takaisin ja tallenna sen PIN tähän.</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="152"/>
        <source>There is no SIM card in the modem, or it does not make contact.</source>
        <translation>Modeemissa ei ole SIM-korttia, tai kortti ei ota kontaktia.</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="155"/>
        <source>Blocked for good, or broken: ask the operator for a new SIM card.</source>
        <translation>Pysyvästi estetty tai rikki: pyydä operaattorilta uusi SIM-kortti.</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="158"/>
        <source>The modem wants another code than the SIM&apos;s PIN (it may be locked to another operator).</source>
        <translation>Modeemi pyytää muuta koodia kuin SIM-kortin PIN-koodia (se voi olla lukittu toiselle operaattorille).</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="161"/>
        <source>Not known now; it refused the stored PIN.</source>
        <translation>Ei nyt tiedossa; kortti ei hyväksynyt tallennettua PIN-koodia.</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="162"/>
        <source>Not known.</source>
        <translation>Ei tiedossa.</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="167"/>
        <source>Type the SIM&apos;s PIN first.</source>
        <translation>Kirjoita ensin SIM-kortin PIN.</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="177"/>
        <source>PIN stored. The modem enters it when the SIM asks for it.</source>
        <translation>PIN tallennettu. Modeemi syöttää sen, kun SIM-kortti pyytää sitä.</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="189"/>
        <source>Clear the SIM PIN</source>
        <translation>Poista SIM-kortin PIN</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="190"/>
        <source>Clear the SIM PIN stored on the switchboard?</source>
        <translation>Poistetaanko vaihteeseen tallennettu SIM-kortin PIN?</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="191"/>
        <source>The next time the SIM asks for its PIN (after a power cut or a restart), text messages wait until a PIN is stored again.</source>
        <translation>Kun SIM-kortti seuraavan kerran pyytää PIN-koodiaan (sähkökatkon tai uudelleenkäynnistyksen jälkeen), tekstiviestit odottavat, kunnes PIN tallennetaan uudelleen.</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="193"/>
        <source>Clear PIN</source>
        <translation>Poista PIN</translation>
    </message>
    <message>
        <location filename="../manage/modem.py" line="195"/>
        <source>The SIM PIN is cleared.</source>
        <translation>SIM-kortin PIN on poistettu.</translation>
    </message>
</context>
<context>
    <name>NetworkPage</name>
    <message>
        <location filename="../manage/network.py" line="70"/>
        <source>In use:</source>
        <translation>Käytössä:</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="71"/>
        <source>State:</source>
        <translation>Tila:</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="77"/>
        <source>Confirm through the new address</source>
        <translation>Vahvista uuden osoitteen kautta</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="79"/>
        <source>Go back now</source>
        <translation>Palaa heti entiseen</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="93"/>
        <source>From the office network&apos;s DHCP server</source>
        <translation>Toimiston verkon DHCP-palvelimelta</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="94"/>
        <source>Static: the address below</source>
        <translation>Kiinteä: alla oleva osoite</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="97"/>
        <source>e.g. 192.168.1.50/24</source>
        <translation>esim. 192.168.1.50/24</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="99"/>
        <location filename="../manage/network.py" line="101"/>
        <source>e.g. 192.168.1.1</source>
        <translation>esim. 192.168.1.1</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="104"/>
        <source>Address from:</source>
        <translation>Osoite:</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="105"/>
        <source>Address:</source>
        <translation>IP-osoite:</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="106"/>
        <source>The switchboard&apos;s IPv4 address and its network&apos;s prefix length (/24 is the netmask 255.255.255.0).</source>
        <translation>Vaihteen IPv4-osoite ja sen verkon etuliitteen pituus (/24 on verkkopeite 255.255.255.0).</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="108"/>
        <source>Gateway:</source>
        <translation>Yhdyskäytävä:</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="109"/>
        <source>The office router, on the same network.</source>
        <translation>Toimiston reititin, samassa verkossa.</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="110"/>
        <source>DNS servers:</source>
        <translation>DNS-palvelimet:</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="111"/>
        <source>One or two, separated by a comma (often the router).</source>
        <translation>Yksi tai kaksi pilkulla erotettuna (usein reititin).</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="112"/>
        <source>Apply…</source>
        <translation>Ota käyttöön…</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="122"/>
        <source>Network</source>
        <translation>Verkko</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="154"/>
        <source>A new setting is on trial: confirm it through its new address, or go back. Otherwise the switchboard goes back by itself in {seconds} s.</source>
        <translation>Uusi asetus on koekäytössä: vahvista se uuden osoitteen kautta tai palaa entiseen. Muuten vaihde palaa entiseen itsestään {seconds} sekunnin kuluttua.</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="169"/>
        <source>Not known.</source>
        <translation>Ei tiedossa.</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="171"/>
        <source>An address from the office network&apos;s DHCP server</source>
        <translation>Osoite toimiston verkon DHCP-palvelimelta</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="173"/>
        <source>{address}, gateway {gateway}, DNS {dns}</source>
        <translation>{address}, yhdyskäytävä {gateway}, DNS {dns}</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="176"/>
        <source>{setting} (port {interface})</source>
        <translation>{setting} (portti {interface})</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="182"/>
        <source>Applied.</source>
        <translation>Käytössä.</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="184"/>
        <source>Handed to the switchboard; it tries it in a moment.</source>
        <translation>Annettu vaihteelle; se kokeilee sitä hetken kuluttua.</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="186"/>
        <source>no address yet</source>
        <translation>ei vielä osoitteessa</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="187"/>
        <source>On trial: the switchboard answers at {new} (and still at {old}); it goes back by itself in {seconds} s unless confirmed.</source>
        <translation>Koekäytössä: vaihde vastaa osoitteessa {new} (ja yhä osoitteessa {old}); se palaa entiseen itsestään {seconds} sekunnin kuluttua, ellei muutosta vahvisteta.</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="192"/>
        <source>Given up: {reason}</source>
        <translation>Palattu entiseen: {reason}</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="194"/>
        <source>Stored, not applied: {reason}</source>
        <translation>Tallennettu, ei käytössä: {reason}</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="195"/>
        <source>Failed: {reason}</source>
        <translation>Epäonnistui: {reason}</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="216"/>
        <source>The switchboard will move to the address {address}. The console then connects to it there and confirms the change.</source>
        <translation>Vaihde siirtyy osoitteeseen {address}. Konsoli yhdistää sitten vaihteeseen siinä osoitteessa ja vahvistaa muutoksen.</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="220"/>
        <source>The switchboard will take its address from the office network&apos;s DHCP server. The console then finds the new address, connects to it there and confirms the change.</source>
        <translation>Vaihde hakee osoitteensa toimiston verkon DHCP-palvelimelta. Konsoli selvittää sitten uuden osoitteen, yhdistää vaihteeseen siinä osoitteessa ja vahvistaa muutoksen.</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="224"/>
        <location filename="../manage/network.py" line="232"/>
        <source>Move the switchboard</source>
        <translation>Siirrä vaihde</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="225"/>
        <source>Until the change is confirmed, the switchboard also keeps its present address.</source>
        <translation>Kunnes muutos on vahvistettu, vaihde pitää myös nykyisen osoitteensa.</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="227"/>
        <source>If the console cannot reach the switchboard at its new address within {minutes} minutes, the switchboard goes back to its present setting by itself.</source>
        <translation>Jos konsoli ei tavoita vaihdetta sen uudessa osoitteessa {minutes} minuutin kuluessa, vaihde palaa itsestään nykyiseen asetukseensa.</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="230"/>
        <source>Other consoles must then connect to the new address.</source>
        <translation>Muiden konsolien on sen jälkeen yhdistettävä uuteen osoitteeseen.</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="231"/>
        <source>Calls in progress may be cut when the present address goes.</source>
        <translation>Käynnissä olevat puhelut voivat katketa, kun nykyinen osoite poistuu.</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="252"/>
        <source>Applied: the switchboard already had this setting.</source>
        <translation>Käytössä: vaihteella oli jo tämä asetus.</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="264"/>
        <source>Waiting for the switchboard to try the new setting…</source>
        <translation>Odotetaan, että vaihde kokeilee uutta asetusta…</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="290"/>
        <source>Another change was made meanwhile.</source>
        <translation>Sillä välin tehtiin toinen muutos.</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="309"/>
        <source>Connecting to the switchboard at its new address {address}… It goes back by itself in {seconds} s unless the console reaches it there.</source>
        <translation>Yhdistetään vaihteeseen sen uudessa osoitteessa {address}… Se palaa entiseen itsestään {seconds} sekunnin kuluttua, ellei konsoli tavoita sitä siellä.</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="320"/>
        <source>Confirmed at {address}; the switchboard is keeping the setting…</source>
        <translation>Vahvistettu osoitteessa {address}; vaihde ottaa asetuksen pysyvästi käyttöön…</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="334"/>
        <source>The switchboard keeps the new setting and answers at {address}.</source>
        <translation>Vaihde pitää uuden asetuksen ja vastaa osoitteessa {address}.</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="337"/>
        <source>The switchboard keeps the new setting.</source>
        <translation>Vaihde pitää uuden asetuksen.</translation>
    </message>
    <message>
        <location filename="../manage/network.py" line="365"/>
        <source>Going back to the setting before…</source>
        <translation>Palataan entiseen asetukseen…</translation>
    </message>
</context>
<context>
    <name>NumberDialog</name>
    <message>
        <location filename="../manage/numbers.py" line="74"/>
        <source>New on-call number</source>
        <translation>Uusi päivystysnumero</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="75"/>
        <location filename="../manage/numbers.py" line="192"/>
        <source>Edit {number}</source>
        <translation>Muokkaa numeroa {number}</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="83"/>
        <source>e.g. 020 123 4567</source>
        <translation>esim. 020 123 4567</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="86"/>
        <source>e.g. Maintenance on call</source>
        <translation>esim. Huoltopäivystys</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="100"/>
        <source>No backup group</source>
        <translation>Ei vararyhmää</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="105"/>
        <source>Record calls</source>
        <translation>Nauhoita puhelut</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="109"/>
        <source> days</source>
        <translation> päivää</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="113"/>
        <source>Tell the others when someone takes a call</source>
        <translation>Kerro muille, kun joku ottaa puhelun</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="115"/>
        <source>Send the caller the answerer&apos;s contact details</source>
        <translation>Lähetä soittajalle vastanneen henkilön yhteystiedot</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="117"/>
        <source>Tell the people rung about a missed call</source>
        <translation>Kerro vastaamattomasta puhelusta niille, joille soitettiin</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="121"/>
        <source>Number:</source>
        <translation>Numero:</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="122"/>
        <source>The number callers dial.</source>
        <translation>Numero, johon soittajat soittavat.</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="123"/>
        <source>Name:</source>
        <translation>Nimi:</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="124"/>
        <source>Rings the groups:</source>
        <translation>Soittaa ryhmille:</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="125"/>
        <source>Everyone on duty in these groups rings at once.</source>
        <translation>Kaikille näiden ryhmien päivystäjille soitetaan yhtä aikaa.</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="126"/>
        <source>Backup group:</source>
        <translation>Vararyhmä:</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="127"/>
        <source>Rung when nobody in the groups above takes the call.</source>
        <translation>Sille soitetaan, kun kukaan yllä olevista ryhmistä ei ota puhelua.</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="128"/>
        <source>Recording:</source>
        <translation>Nauhoitus:</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="129"/>
        <source>Keep recordings:</source>
        <translation>Säilytä nauhoitteet:</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="130"/>
        <source>SMS:</source>
        <translation>Tekstiviestit:</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="154"/>
        <source>The backup group cannot also be one of the groups the number rings.</source>
        <translation>Vararyhmä ei voi olla myös yksi niistä ryhmistä, joille numero soittaa.</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="193"/>
        <source>The other changes were saved; correct this one and save again.</source>
        <translation>Muut muutokset tallennettiin; korjaa tämä ja tallenna uudelleen.</translation>
    </message>
</context>
<context>
    <name>NumbersPage</name>
    <message>
        <location filename="../manage/numbers.py" line="204"/>
        <source>Number</source>
        <translation>Numero</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="205"/>
        <source>Name</source>
        <translation>Nimi</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="206"/>
        <source>Rings</source>
        <translation>Ryhmät</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="207"/>
        <source>nobody</source>
        <translation>ei kenellekään</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="208"/>
        <source>Backup group</source>
        <translation>Vararyhmä</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="209"/>
        <source>Recording</source>
        <translation>Nauhoitus</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="211"/>
        <source>SMS</source>
        <translation>Tekstiviestit</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="218"/>
        <source>New number…</source>
        <translation>Uusi numero…</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="220"/>
        <source>Edit…</source>
        <translation>Muokkaa…</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="222"/>
        <source>Delete…</source>
        <translation>Poista…</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="225"/>
        <source>Find by number or name</source>
        <translation>Hae numerolla tai nimellä</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="240"/>
        <source>off</source>
        <translation>pois</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="241"/>
        <source>kept {days} days</source>
        <translation>säilytetään {days} päivää</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="244"/>
        <source>taken</source>
        <translation>otettu</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="245"/>
        <source>to caller</source>
        <translation>soittajalle</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="246"/>
        <source>missed</source>
        <translation>vastaamaton</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="248"/>
        <source>none</source>
        <translation>ei mitään</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="269"/>
        <source>Number added.</source>
        <translation>Numero lisätty.</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="275"/>
        <source>Changes saved.</source>
        <translation>Muutokset tallennettu.</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="283"/>
        <source>Delete on-call number</source>
        <translation>Poista päivystysnumero</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="284"/>
        <source>Delete the on-call number {number}?</source>
        <translation>Poistetaanko päivystysnumero {number}?</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="285"/>
        <source>Calls to it are no longer put through to anyone.</source>
        <translation>Siihen tulevia puheluita ei enää yhdistetä kenellekään.</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="286"/>
        <source>Its groups and their people stay.</source>
        <translation>Sen ryhmät ja niiden henkilöt säilyvät.</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="287"/>
        <source>The call log keeps its past calls.</source>
        <translation>Sen aiemmat puhelut säilyvät puhelulokissa.</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="288"/>
        <source>Delete number</source>
        <translation>Poista numero</translation>
    </message>
    <message>
        <location filename="../manage/numbers.py" line="290"/>
        <source>{number} deleted.</source>
        <translation>Numero {number} poistettu.</translation>
    </message>
</context>
<context>
    <name>PasswordDialog</name>
    <message>
        <location filename="../manage/users.py" line="86"/>
        <source>New password for {user}</source>
        <translation>Uusi salasana käyttäjälle {user}</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="91"/>
        <source>New password:</source>
        <translation>Uusi salasana:</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="92"/>
        <source>It also unlocks the user. Their current logins end, so they log in again with the new password.</source>
        <translation>Samalla käyttäjän lukitus avataan. Hänen nykyiset kirjautumisensa päättyvät, joten hän kirjautuu uudelleen uudella salasanalla.</translation>
    </message>
</context>
<context>
    <name>PeoplePage</name>
    <message>
        <location filename="../manage/people.py" line="112"/>
        <source>Name</source>
        <translation>Nimi</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="113"/>
        <source>Phone</source>
        <translation>Puhelin</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="114"/>
        <source>On duty</source>
        <translation>Päivystämässä</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="116"/>
        <source>SMS</source>
        <translation>Tekstiviestit</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="116"/>
        <source>yes</source>
        <translation>kyllä</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="116"/>
        <source>no</source>
        <translation>ei</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="117"/>
        <source>Number for callers</source>
        <translation>Numero soittajille</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="119"/>
        <source>Groups</source>
        <translation>Ryhmät</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="121"/>
        <source>Personal number</source>
        <translation>Henkilönumero</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="122"/>
        <source>PIN</source>
        <translation>PIN-koodi</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="123"/>
        <source>set</source>
        <translation>asetettu</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="123"/>
        <source>not set</source>
        <translation>ei asetettu</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="124"/>
        <source>Phone access</source>
        <translation>Puhelinkuuntelu</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="132"/>
        <source>Find by name, phone or group</source>
        <translation>Hae nimellä, puhelinnumerolla tai ryhmällä</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="136"/>
        <source>Add person…</source>
        <translation>Lisää henkilö…</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="138"/>
        <source>Edit…</source>
        <translation>Muokkaa…</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="140"/>
        <source>Delete…</source>
        <translation>Poista…</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="142"/>
        <source>Set PIN…</source>
        <translation>Aseta PIN-koodi…</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="143"/>
        <source>The PIN for hearing recordings by phone</source>
        <translation>PIN-koodi nauhoitteiden kuunteluun puhelimella</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="145"/>
        <source>Lift phone lock</source>
        <translation>Poista puhelinlukitus</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="146"/>
        <source>Let the person try their PIN again now</source>
        <translation>Anna henkilön yrittää PIN-koodiaan heti uudelleen</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="167"/>
        <source>locked until {time}</source>
        <translation>lukittu {time} asti</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="181"/>
        <source>{total} people</source>
        <translation>{total} henkilöä</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="182"/>
        <source>{shown} of {total} people</source>
        <translation>{shown} / {total} henkilöä</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="196"/>
        <source>Person added.</source>
        <translation>Henkilö lisätty.</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="202"/>
        <source>Changes saved.</source>
        <translation>Muutokset tallennettu.</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="209"/>
        <source>PIN of {name}</source>
        <translation>Henkilön {name} PIN-koodi</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="211"/>
        <source>PIN of {name} set.</source>
        <translation>Henkilön {name} PIN-koodi asetettu.</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="218"/>
        <source>{name} may try their PIN again.</source>
        <translation>{name} voi taas yrittää PIN-koodiaan.</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="223"/>
        <source>{name} is now on duty.</source>
        <translation>{name} päivystää nyt.</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="224"/>
        <source>{name} is now off duty.</source>
        <translation>{name} ei enää päivystä.</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="236"/>
        <source>They leave these groups: {groups}.</source>
        <translation>Hänet poistetaan näistä ryhmistä: {groups}.</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="240"/>
        <source>Their login “{user}” is deleted too.</source>
        <translation>Myös hänen käyttäjätunnuksensa ”{user}” poistetaan.</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="242"/>
        <source>The call log keeps their name on past calls.</source>
        <translation>Hänen nimensä säilyy puhelulokissa aiempien puheluiden kohdalla.</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="244"/>
        <location filename="../manage/people.py" line="247"/>
        <source>Delete person</source>
        <translation>Poista henkilö</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="245"/>
        <source>Delete {name} ({phone})?</source>
        <translation>Poistetaanko {name} ({phone})?</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="249"/>
        <source>{name} deleted.</source>
        <translation>{name} poistettu.</translation>
    </message>
</context>
<context>
    <name>PersonDialog</name>
    <message>
        <location filename="../manage/people.py" line="61"/>
        <source>New person</source>
        <translation>Uusi henkilö</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="62"/>
        <source>Edit {name}</source>
        <translation>Muokkaa henkilöä {name}</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="68"/>
        <source>e.g. 040 123 4567</source>
        <translation>esim. 040 123 4567</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="70"/>
        <source>none</source>
        <translation>ei erillistä numeroa</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="71"/>
        <source>On duty: calls ring this person</source>
        <translation>Päivystämässä: puhelut soivat tälle henkilölle</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="73"/>
        <source>Gets SMS about calls (not for a landline)</source>
        <translation>Saa tekstiviestejä puheluista (ei lankapuhelimeen)</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="76"/>
        <source>Name:</source>
        <translation>Nimi:</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="77"/>
        <source>Phone:</source>
        <translation>Puhelin:</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="78"/>
        <source>The phone the switchboard rings.</source>
        <translation>Puhelin, johon vaihde soittaa.</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="79"/>
        <source>Number for callers:</source>
        <translation>Numero soittajille:</translation>
    </message>
    <message>
        <location filename="../manage/people.py" line="80"/>
        <source>Sent to callers after the call for following up; leave empty to send the phone above.</source>
        <translation>Lähetetään soittajille puhelun jälkeen yhteydenottoa varten; jätä tyhjäksi, niin lähetetään yllä oleva puhelinnumero.</translation>
    </message>
</context>
<context>
    <name>PinDialog</name>
    <message>
        <location filename="../manage/pin.py" line="31"/>
        <source>New PIN:</source>
        <translation>Uusi PIN-koodi:</translation>
    </message>
    <message>
        <location filename="../manage/pin.py" line="32"/>
        <source>{lengths} digits, keyed on the phone after calling the listening number. Not shown again after saving.</source>
        <translation>{lengths} numeroa, näppäillään puhelimella kuuntelunumeroon soitettaessa. Ei näy enää tallentamisen jälkeen.</translation>
    </message>
    <message>
        <location filename="../manage/pin.py" line="35"/>
        <source>PIN again:</source>
        <translation>PIN-koodi uudelleen:</translation>
    </message>
    <message>
        <location filename="../manage/pin.py" line="41"/>
        <source>The PINs differ: type the same PIN twice.</source>
        <translation>PIN-koodit eroavat: kirjoita sama PIN-koodi kahdesti.</translation>
    </message>
</context>
<context>
    <name>RecordingsModel</name>
    <message>
        <location filename="../recordings/model.py" line="26"/>
        <source>Time</source>
        <translation>Aika</translation>
    </message>
    <message>
        <location filename="../recordings/model.py" line="28"/>
        <source>Caller</source>
        <translation>Soittaja</translation>
    </message>
    <message>
        <location filename="../recordings/model.py" line="29"/>
        <source>Duration</source>
        <translation>Kesto</translation>
    </message>
    <message>
        <location filename="../recordings/model.py" line="30"/>
        <source>On-call number</source>
        <translation>Päivystysnumero</translation>
    </message>
</context>
<context>
    <name>RecordingsView</name>
    <message>
        <location filename="../recordings/view.py" line="89"/>
        <source>These are the recordings of the calls you answered. Recordings are personal: nobody else, an admin included, can listen to them.</source>
        <translation>Tässä ovat nauhoitteet puheluista, joihin vastasit. Nauhoitteet ovat henkilökohtaisia: kukaan muu, ei edes ylläpitäjä, voi kuunnella niitä.</translation>
    </message>
    <message>
        <location filename="../recordings/view.py" line="92"/>
        <source>Refresh</source>
        <translation>Päivitä</translation>
    </message>
    <message>
        <location filename="../recordings/view.py" line="99"/>
        <source>Choose a recording to listen to it.</source>
        <translation>Valitse nauhoite, jota haluat kuunnella.</translation>
    </message>
    <message>
        <location filename="../recordings/view.py" line="101"/>
        <location filename="../recordings/view.py" line="297"/>
        <location filename="../recordings/view.py" line="310"/>
        <source>Play</source>
        <translation>Toista</translation>
    </message>
    <message>
        <location filename="../recordings/view.py" line="116"/>
        <location filename="../recordings/view.py" line="134"/>
        <source>Volume</source>
        <translation>Äänenvoimakkuus</translation>
    </message>
    <message>
        <location filename="../recordings/view.py" line="162"/>
        <location filename="../recordings/view.py" line="206"/>
        <location filename="../recordings/view.py" line="302"/>
        <source>Loading…</source>
        <translation>Ladataan…</translation>
    </message>
    <message>
        <location filename="../recordings/view.py" line="170"/>
        <source>You have no recordings.</source>
        <translation>Sinulla ei ole nauhoitteita.</translation>
    </message>
    <message>
        <location filename="../recordings/view.py" line="198"/>
        <source>Call from {caller} at {time}</source>
        <translation>Puhelu numerosta {caller}, {time}</translation>
    </message>
    <message>
        <location filename="../recordings/view.py" line="220"/>
        <source>This recording is in a format the console cannot play.</source>
        <translation>Tämä nauhoite on muodossa, jota ohjelma ei pysty toistamaan.</translation>
    </message>
    <message>
        <location filename="../recordings/view.py" line="296"/>
        <source>Pause</source>
        <translation>Tauko</translation>
    </message>
    <message>
        <location filename="../recordings/view.py" line="334"/>
        <source>Recordings cannot be played on this computer: its sound library (PortAudio) is not installed. The list is still shown.</source>
        <translation>Nauhoitteita ei voi toistaa tällä tietokoneella, koska sen äänikirjastoa (PortAudio) ei ole asennettu. Luettelo näytetään silti.</translation>
    </message>
    <message>
        <location filename="../recordings/view.py" line="337"/>
        <source>This computer has no sound output device, so recordings cannot be played. Connect speakers or headphones and restart the console.</source>
        <translation>Tässä tietokoneessa ei ole äänentoistolaitetta, joten nauhoitteita ei voi toistaa. Kytke kaiuttimet tai kuulokkeet ja käynnistä ohjelma uudelleen.</translation>
    </message>
    <message>
        <location filename="../recordings/view.py" line="341"/>
        <source>The sound device cannot play this recording&apos;s format.</source>
        <translation>Äänilaite ei pysty toistamaan tämän nauhoitteen muotoa.</translation>
    </message>
    <message>
        <location filename="../recordings/view.py" line="342"/>
        <source>The sound device could not be opened: {reason}</source>
        <translation>Äänilaitetta ei voitu avata: {reason}</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../manage/settings.py" line="43"/>
        <source>Finnish</source>
        <translation>Suomi</translation>
    </message>
    <message>
        <location filename="../manage/settings.py" line="43"/>
        <source>English</source>
        <translation>Englanti</translation>
    </message>
    <message>
        <location filename="../manage/settings.py" line="44"/>
        <source>Swedish</source>
        <translation>Ruotsi</translation>
    </message>
    <message>
        <location filename="../manage/settings.py" line="60"/>
        <source>People may delete their own recordings</source>
        <translation>Päivystäjät saavat poistaa omia nauhoitteitaan</translation>
    </message>
    <message>
        <location filename="../manage/settings.py" line="62"/>
        <source>Ring time:</source>
        <translation>Soittoaika:</translation>
    </message>
    <message>
        <location filename="../manage/settings.py" line="63"/>
        <source>How long a number&apos;s groups ring before its backup group is rung.</source>
        <translation>Kuinka kauan numeron ryhmille soitetaan, ennen kuin soitetaan sen vararyhmälle.</translation>
    </message>
    <message>
        <location filename="../manage/settings.py" line="64"/>
        <source>Time to press 1:</source>
        <translation>Aikaa painaa 1:</translation>
    </message>
    <message>
        <location filename="../manage/settings.py" line="65"/>
        <source>How long a person who answers has to press 1 to take the call.</source>
        <translation>Kuinka kauan vastanneella henkilöllä on aikaa painaa 1 ottaakseen puhelun.</translation>
    </message>
    <message>
        <location filename="../manage/settings.py" line="66"/>
        <source>Voice prompts:</source>
        <translation>Ääniopasteet:</translation>
    </message>
    <message>
        <location filename="../manage/settings.py" line="67"/>
        <source>The language callers and the people rung hear.</source>
        <translation>Kieli, jonka soittajat ja soitetut henkilöt kuulevat.</translation>
    </message>
    <message>
        <location filename="../manage/settings.py" line="68"/>
        <source>SMS language:</source>
        <translation>Tekstiviestien kieli:</translation>
    </message>
    <message>
        <location filename="../manage/settings.py" line="69"/>
        <source>The language of the SMS messages.</source>
        <translation>Kieli, jolla tekstiviestit lähetetään.</translation>
    </message>
    <message>
        <location filename="../manage/settings.py" line="70"/>
        <source>Time zone:</source>
        <translation>Aikavyöhyke:</translation>
    </message>
    <message>
        <location filename="../manage/settings.py" line="71"/>
        <source>Times in SMS messages are given in this time zone.</source>
        <translation>Tekstiviestien kellonajat ilmoitetaan tällä aikavyöhykkeellä.</translation>
    </message>
    <message>
        <location filename="../manage/settings.py" line="72"/>
        <source>Backups kept:</source>
        <translation>Säilytettävät varmuuskopiot:</translation>
    </message>
    <message>
        <location filename="../manage/settings.py" line="73"/>
        <source>The switchboard backs its configuration up every night and keeps this many of the newest backups (Manage, Backups).</source>
        <translation>Vaihde varmuuskopioi asetuksensa joka yö ja säilyttää näin monta uusinta varmuuskopiota (Hallinta, Varmuuskopiot).</translation>
    </message>
    <message>
        <location filename="../manage/settings.py" line="75"/>
        <source>Recordings:</source>
        <translation>Nauhoitteet:</translation>
    </message>
    <message>
        <location filename="../manage/settings.py" line="77"/>
        <source>On the listening line a person may then delete a recording of their own (key 7, confirmed with 1).</source>
        <translation>Kuuntelunumerossa päivystäjä voi silloin poistaa oman nauhoitteensa (näppäin 7, vahvistus 1:llä).</translation>
    </message>
    <message>
        <location filename="../manage/settings.py" line="82"/>
        <source>Save</source>
        <translation>Tallenna</translation>
    </message>
    <message>
        <location filename="../manage/settings.py" line="85"/>
        <source>Fill in the defaults</source>
        <translation>Täytä oletusarvot</translation>
    </message>
    <message>
        <location filename="../manage/settings.py" line="86"/>
        <source>Nothing changes until you save.</source>
        <translation>Mikään ei muutu ennen kuin tallennat.</translation>
    </message>
    <message>
        <location filename="../manage/settings.py" line="109"/>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <location filename="../manage/settings.py" line="174"/>
        <source>Default: {value}</source>
        <translation>Oletus: {value}</translation>
    </message>
    <message>
        <location filename="../manage/settings.py" line="184"/>
        <source>Nothing to save: the settings are as stored.</source>
        <translation>Ei tallennettavaa: asetukset ovat ennallaan.</translation>
    </message>
    <message>
        <location filename="../manage/settings.py" line="200"/>
        <source>Settings saved.</source>
        <translation>Asetukset tallennettu.</translation>
    </message>
</context>
<context>
    <name>SoftwarePage</name>
    <message>
        <location filename="../manage/software.py" line="82"/>
        <location filename="../manage/software.py" line="84"/>
        <source>…</source>
        <translation>…</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="89"/>
        <source>Installed version:</source>
        <translation>Asennettu versio:</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="90"/>
        <source>Update:</source>
        <translation>Päivitys:</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="92"/>
        <source>Choose package…</source>
        <translation>Valitse paketti…</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="94"/>
        <location filename="../manage/software.py" line="282"/>
        <source>No package chosen.</source>
        <translation>Pakettia ei ole valittu.</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="97"/>
        <source>Install update…</source>
        <translation>Asenna päivitys…</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="109"/>
        <source>Switchboard software</source>
        <translation>Vaihteen ohjelmisto</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="113"/>
        <source>An update is a package from the switchboard&apos;s vendor: a .deb file with its signature (the .sig file of the same name) beside it. The switchboard installs only a newer version its vendor signed. Its services restart for a minute or two; calls in progress go on, and everything (settings, call log, recordings, logins) is kept.</source>
        <translation>Päivitys on vaihteen toimittajan paketti: .deb-tiedosto ja sen vieressä sen allekirjoitus (samanniminen .sig-tiedosto). Vaihde asentaa vain uudemman version, jonka sen toimittaja on allekirjoittanut. Vaihteen palvelut käynnistyvät uudelleen minuutin tai kahden ajan; käynnissä olevat puhelut jatkuvat, ja kaikki (asetukset, puheluloki, nauhoitteet, kirjautumiset) säilyy.</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="154"/>
        <source>{version} ({architecture})</source>
        <translation>{version} ({architecture})</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="171"/>
        <source>This switchboard takes no updates: {reason}</source>
        <translation>Tähän vaihteeseen ei asenneta päivityksiä: {reason}</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="175"/>
        <source>Version {version} is uploaded; the switchboard is about to install it.</source>
        <translation>Versio {version} on ladattu vaihteelle; vaihde asentaa sen kohta.</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="178"/>
        <source>Installing version {version}. The switchboard&apos;s services restart; calls in progress go on.</source>
        <translation>Asennetaan versiota {version}. Vaihteen palvelut käynnistyvät uudelleen; käynnissä olevat puhelut jatkuvat.</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="181"/>
        <source>Version {version} was installed (asked by {user}).</source>
        <translation>Versio {version} on asennettu (pyytäjä {user}).</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="184"/>
        <source>The update to version {version} failed: {reason}</source>
        <translation>Päivitys versioon {version} epäonnistui: {reason}</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="186"/>
        <source>No update so far.</source>
        <translation>Päivityksiä ei ole vielä tehty.</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="192"/>
        <source>The switchboard is restarting its services to finish the update…</source>
        <translation>Vaihde käynnistää palvelunsa uudelleen viimeistelläkseen päivityksen…</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="203"/>
        <source>Choose the update package</source>
        <translation>Valitse päivityspaketti</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="204"/>
        <source>Debian packages (*.deb)</source>
        <translation>Debian-paketit (*.deb)</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="218"/>
        <source>Cannot read {file}: {reason}. The signature file goes beside the package.</source>
        <translation>Tiedostoa {file} ei voi lukea: {reason}. Allekirjoitustiedoston pitää olla paketin vieressä.</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="227"/>
        <source>{file}: version {version}</source>
        <translation>{file}: versio {version}</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="243"/>
        <source>Install the update</source>
        <translation>Asenna päivitys</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="244"/>
        <source>Install version {version} on the switchboard?</source>
        <translation>Asennetaanko vaihteeseen versio {version}?</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="246"/>
        <source>Its services restart for a minute or two; calls in progress go on.</source>
        <translation>Vaihteen palvelut käynnistyvät uudelleen minuutin tai kahden ajan; käynnissä olevat puhelut jatkuvat.</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="248"/>
        <source>The console reconnects by itself when the switchboard answers again.</source>
        <translation>Konsoli yhdistää vaihteeseen itsestään, kun vaihde taas vastaa.</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="250"/>
        <source>Install</source>
        <translation>Asenna</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="258"/>
        <source>Uploading {file}…</source>
        <translation>Ladataan {file} vaihteelle…</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="283"/>
        <source>Uploaded. The switchboard checked the package and installs it now.</source>
        <translation>Ladattu. Vaihde tarkisti paketin ja asentaa sen nyt.</translation>
    </message>
    <message>
        <location filename="../manage/software.py" line="291"/>
        <source>Not installed: {reason}</source>
        <translation>Ei asennettu: {reason}</translation>
    </message>
</context>
<context>
    <name>TemplatesPage</name>
    <message>
        <location filename="../manage/templates.py" line="45"/>
        <source>Text:</source>
        <translation>Teksti:</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="49"/>
        <source>Save</source>
        <translation>Tallenna</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="51"/>
        <source>Restore the built-in text…</source>
        <translation>Palauta oletusteksti…</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="78"/>
        <source>Finnish</source>
        <translation>Suomi</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="78"/>
        <source>English</source>
        <translation>Englanti</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="78"/>
        <source>Swedish</source>
        <translation>Ruotsi</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="81"/>
        <source>Someone took the call (to the others rung)</source>
        <translation>Joku otti puhelun (muille soitetuille)</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="82"/>
        <source>Who answered (to the caller, afterwards)</source>
        <translation>Kuka vastasi (soittajalle jälkikäteen)</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="83"/>
        <source>Nobody answered (to the people rung)</source>
        <translation>Kukaan ei vastannut (soitetuille)</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="84"/>
        <source>The caller hung up (to the people rung)</source>
        <translation>Soittaja katkaisi (soitetuille)</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="85"/>
        <source>Reply to an ON text</source>
        <translation>Vastaus PÄÄLLE-viestiin</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="86"/>
        <source>Reply to an OFF text</source>
        <translation>Vastaus POIS-viestiin</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="87"/>
        <source>Reply to any other text</source>
        <translation>Vastaus muuhun viestiin</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="90"/>
        <source>the person who answered or texted</source>
        <translation>henkilö, joka vastasi tai lähetti viestin</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="91"/>
        <source>the caller&apos;s number</source>
        <translation>soittajan numero</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="92"/>
        <source>when the call came</source>
        <translation>milloin puhelu tuli</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="93"/>
        <source>the on-call number&apos;s name</source>
        <translation>päivystysnumeron nimi</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="94"/>
        <source>the number to reach the answerer at</source>
        <translation>numero, josta vastannut henkilö tavoitetaan</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="95"/>
        <source>seconds the caller waited</source>
        <translation>soittajan odotusaika sekunteina</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="96"/>
        <source>the person&apos;s groups</source>
        <translation>henkilön ryhmät</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="133"/>
        <source>You can use: {list}</source>
        <translation>Voit käyttää: {list}</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="144"/>
        <source>Your own text.</source>
        <translation>Oma teksti.</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="145"/>
        <source>The built-in text.</source>
        <translation>Oletusteksti.</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="146"/>
        <source>{origin} {count} characters.</source>
        <translation>{origin} {count} merkkiä.</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="159"/>
        <source>Text saved.</source>
        <translation>Teksti tallennettu.</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="177"/>
        <source>Restore the built-in text</source>
        <translation>Palauta oletusteksti</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="178"/>
        <source>Replace your own text with the built-in one?</source>
        <translation>Korvataanko oma tekstisi oletustekstillä?</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="179"/>
        <source>Your text is not kept.</source>
        <translation>Tekstiäsi ei säilytetä.</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="179"/>
        <source>Restore</source>
        <translation>Palauta</translation>
    </message>
    <message>
        <location filename="../manage/templates.py" line="181"/>
        <source>The built-in text is used again.</source>
        <translation>Oletusteksti on taas käytössä.</translation>
    </message>
</context>
<context>
    <name>TrunkPage</name>
    <message>
        <location filename="../manage/trunk.py" line="42"/>
        <source>By address: the operator knows this box&apos;s IP address</source>
        <translation>Osoitteella: operaattori tietää tämän laitteen IP-osoitteen</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="44"/>
        <source>Registration: with a user name and password</source>
        <translation>Rekisteröinti: käyttäjätunnuksella ja salasanalla</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="46"/>
        <source>GSM gateway on the office network</source>
        <translation>GSM-yhdyskäytävä toimiston verkossa</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="49"/>
        <source>e.g. sip.operator.fi</source>
        <translation>esim. sip.operaattori.fi</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="61"/>
        <source>the host above</source>
        <translation>yllä oleva palvelin</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="63"/>
        <source>RFC 4733 (the usual)</source>
        <translation>RFC 4733 (tavallisin)</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="64"/>
        <source>SIP INFO</source>
        <translation>SIP INFO</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="65"/>
        <source>Tones in the audio (in-band)</source>
        <translation>Äänet puhekanavassa (in-band)</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="66"/>
        <source>Automatic: RFC 4733 if offered, else tones</source>
        <translation>Automaattinen: RFC 4733, jos tarjotaan, muuten äänet</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="68"/>
        <location filename="../manage/trunk.py" line="70"/>
        <source>none</source>
        <translation>ei mitään</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="72"/>
        <source>e.g. 192.168.1.0/24</source>
        <translation>esim. 192.168.1.0/24</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="76"/>
        <source>Connection:</source>
        <translation>Yhteystapa:</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="77"/>
        <source>Host:</source>
        <translation>Palvelin:</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="78"/>
        <source>Port:</source>
        <translation>Portti:</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="79"/>
        <source>Transport:</source>
        <translation>Siirtoprotokolla:</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="80"/>
        <source>User name:</source>
        <translation>Käyttäjätunnus:</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="81"/>
        <source>Password:</source>
        <translation>Salasana:</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="82"/>
        <source>From domain:</source>
        <translation>From-verkkotunnus:</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="83"/>
        <source>Only if the operator asks for one.</source>
        <translation>Vain, jos operaattori sitä pyytää.</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="84"/>
        <source>Keys (DTMF):</source>
        <translation>Näppäimet (DTMF):</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="85"/>
        <source>With tones, a key counts only after the prompt.</source>
        <translation>Äänillä näppäinpainallus lasketaan vasta kehotteen jälkeen.</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="86"/>
        <source>Default number:</source>
        <translation>Oletusnumero:</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="87"/>
        <source>For calls that name none of the on-call numbers.</source>
        <translation>Puheluille, jotka eivät kohdistu mihinkään päivystysnumeroon.</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="88"/>
        <source>External address:</source>
        <translation>Ulkoinen osoite:</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="89"/>
        <source>Only behind the office router (NAT): its public address or name.</source>
        <translation>Vain toimiston reitittimen takana (NAT): sen julkinen osoite tai nimi.</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="91"/>
        <source>Local networks:</source>
        <translation>Paikalliset verkot:</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="92"/>
        <source>The office networks: they are given the box&apos;s own address.</source>
        <translation>Toimiston verkot: niille annetaan laitteen oma osoite.</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="93"/>
        <source>Save and apply</source>
        <translation>Tallenna ja ota käyttöön</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="95"/>
        <source>Forget the trunk…</source>
        <translation>Unohda runkolinja…</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="110"/>
        <source>SIP trunk to the phone network</source>
        <translation>SIP-runkolinja puhelinverkkoon</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="145"/>
        <source>stored: type a new one only to replace it</source>
        <translation>tallennettu: kirjoita uusi vain, jos haluat vaihtaa sen</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="146"/>
        <source>the operator&apos;s password</source>
        <translation>operaattorin antama salasana</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="150"/>
        <source>Set up; last changed {time}.</source>
        <translation>Määritetty; muutettu viimeksi {time}.</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="152"/>
        <source>Set up.</source>
        <translation>Määritetty.</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="155"/>
        <source>Not set up: the switchboard uses the lab&apos;s test trunk, so calls from the phone network do not reach it yet. Enter what the operator gave you.</source>
        <translation>Ei määritetty: vaihde käyttää laboratorion testirunkolinjaa, joten puhelut puhelinverkosta eivät vielä tule vaihteeseen. Syötä operaattorilta saamasi tiedot.</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="185"/>
        <source>Trunk saved and applied.</source>
        <translation>Runkolinja tallennettu ja otettu käyttöön.</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="197"/>
        <source>Forget the trunk</source>
        <translation>Unohda runkolinja</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="198"/>
        <source>Forget the trunk to {host}?</source>
        <translation>Unohdetaanko runkolinja palvelimelle {host}?</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="199"/>
        <source>Calls from the phone network stop reaching the switchboard.</source>
        <translation>Puhelut puhelinverkosta lakkaavat tulemasta vaihteeseen.</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="200"/>
        <source>The stored password is deleted.</source>
        <translation>Tallennettu salasana poistetaan.</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="201"/>
        <source>Forget trunk</source>
        <translation>Unohda runkolinja</translation>
    </message>
    <message>
        <location filename="../manage/trunk.py" line="203"/>
        <source>The trunk is forgotten.</source>
        <translation>Runkolinja unohdettu.</translation>
    </message>
</context>
<context>
    <name>UserDialog</name>
    <message>
        <location filename="../manage/users.py" line="41"/>
        <source>New user</source>
        <translation>Uusi käyttäjä</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="45"/>
        <source>e.g. maija</source>
        <translation>esim. maija</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="48"/>
        <source>On-call person: sees their own calls</source>
        <translation>Päivystäjä: näkee omat puhelunsa</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="49"/>
        <source>Admin: manages everything</source>
        <translation>Ylläpitäjä: hallitsee kaikkea</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="52"/>
        <source>Choose the person</source>
        <translation>Valitse henkilö</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="59"/>
        <source>Username:</source>
        <translation>Käyttäjätunnus:</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="60"/>
        <source>Password:</source>
        <translation>Salasana:</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="61"/>
        <source>Give it to the user in person; they can change it after logging in.</source>
        <translation>Anna se käyttäjälle henkilökohtaisesti; hän voi vaihtaa sen kirjauduttuaan.</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="63"/>
        <source>Role:</source>
        <translation>Rooli:</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="64"/>
        <source>Person:</source>
        <translation>Henkilö:</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="65"/>
        <source>Only people without a login are listed.</source>
        <translation>Luettelossa ovat vain henkilöt, joilla ei ole käyttäjätunnusta.</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="75"/>
        <source>Choose whose login this is: an on-call person&apos;s login shows their calls.</source>
        <translation>Valitse, kenen käyttäjätunnus tämä on: päivystäjän tunnuksella näkyvät hänen omat puhelunsa.</translation>
    </message>
</context>
<context>
    <name>UsersPage</name>
    <message>
        <location filename="../manage/users.py" line="108"/>
        <source>Username</source>
        <translation>Käyttäjätunnus</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="109"/>
        <source>Role</source>
        <translation>Rooli</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="109"/>
        <source>admin</source>
        <translation>ylläpitäjä</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="110"/>
        <source>on-call person</source>
        <translation>päivystäjä</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="111"/>
        <source>Person</source>
        <translation>Henkilö</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="112"/>
        <source>Locked</source>
        <translation>Lukittu</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="117"/>
        <source>New user…</source>
        <translation>Uusi käyttäjä…</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="119"/>
        <source>Set password…</source>
        <translation>Aseta salasana…</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="121"/>
        <source>Unlock</source>
        <translation>Avaa lukitus</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="123"/>
        <source>Delete…</source>
        <translation>Poista…</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="140"/>
        <source>until {time}</source>
        <translation>klo {time} asti</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="165"/>
        <source>User added.</source>
        <translation>Käyttäjä lisätty.</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="171"/>
        <source>Password changed.</source>
        <translation>Salasana vaihdettu.</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="178"/>
        <source>{user} can log in again.</source>
        <translation>Käyttäjä {user} voi taas kirjautua.</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="185"/>
        <source>{person} stays in the directory and is still rung; only their login ends.</source>
        <translation>{person} säilyy henkilöluettelossa, ja hänelle soitetaan edelleen; vain hänen käyttäjätunnuksensa poistuu.</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="187"/>
        <source>They can no longer manage the switchboard.</source>
        <translation>Hän ei voi enää hallita vaihdetta.</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="189"/>
        <location filename="../manage/users.py" line="191"/>
        <source>Delete user</source>
        <translation>Poista käyttäjä</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="190"/>
        <source>Delete the login {user}?</source>
        <translation>Poistetaanko käyttäjätunnus {user}?</translation>
    </message>
    <message>
        <location filename="../manage/users.py" line="193"/>
        <source>User {user} deleted.</source>
        <translation>Käyttäjä {user} poistettu.</translation>
    </message>
</context>
</TS>
